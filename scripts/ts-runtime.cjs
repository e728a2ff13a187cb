// One place that knows how TypeScript is turned into JavaScript at run time (services, CLI,
// bench) and in Jest: swc with legacy decorators and decorator metadata (NestJS DI needs
// both), and the @gatehouse/* path aliases read from tsconfig.base.json.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.resolve(__dirname, '..');

function readAliases() {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8'));
  const out = {};
  for (const [alias, targets] of Object.entries(base.compilerOptions.paths ?? {})) {
    out[alias] = path.join(ROOT, targets[0]);
  }
  return out;
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = { ROOT, readAliases, swcOptions };
