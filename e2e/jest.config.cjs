const { jestConfig } = require('../jest.preset.cjs');
const base = jestConfig(__dirname);
// One project: the end-to-end suites, which start the services as processes.
module.exports = {
  testTimeout: 120000,
  projects: [{ ...base.projects[1], displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e-spec.ts'] }],
};
