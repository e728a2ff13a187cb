// Shared Jest settings. Each project's jest.config.cjs calls jestConfig(__dirname): two
// Jest "projects", `unit` (*.spec.ts, no infrastructure) and `integration` (*.int-spec.ts,
// real Kafka and PostgreSQL started by scripts/test.sh).
'use strict';
const { readAliases, swcOptions } = require('./scripts/ts-runtime.cjs');

const moduleNameMapper = Object.fromEntries(
  Object.entries(readAliases()).map(([alias, file]) => [`^${alias.replace('/', '\\/')}$`, file]),
);

function jestConfig(projectDir) {
  const common = {
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': ['@swc/jest', { ...swcOptions, swcrc: false }] },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
  };
  return {
    // Integration tests wait on real brokers and databases.
    testTimeout: 60000,
    projects: [
      { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
      {
        ...common,
        displayName: 'integration',
        testMatch: ['<rootDir>/**/*.int-spec.ts'],
        slowTestThreshold: 30,
      },
    ],
  };
}

module.exports = { jestConfig };
