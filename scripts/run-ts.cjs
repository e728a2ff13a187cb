#!/usr/bin/env node
// Runs a TypeScript entry point: `node scripts/run-ts.cjs apps/gateway/src/main.ts [args…]`.
// Also usable as a preload: `node -r ./scripts/run-ts.cjs file.ts`.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const { readAliases, swcOptions } = require('./ts-runtime.cjs');

if (!global.__gatehouseTsRegistered) {
  global.__gatehouseTsRegistered = true;
  const aliases = readAliases();
  const originalResolve = Module._resolveFilename;
  Module._resolveFilename = function resolveAlias(request, ...rest) {
    const target = aliases[request];
    return originalResolve.call(this, target ?? request, ...rest);
  };
  require.extensions['.ts'] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const { code } = transformSync(source, { ...swcOptions, filename });
    module._compile(code, filename);
  };
  // Mapping stack traces back to TypeScript makes every captured stack expensive (measured:
  // p99 of the request benchmark 3x worse), so it is opt-in for debugging.
  if (process.env.GATEHOUSE_SOURCE_MAPS === '1') process.setSourceMapsEnabled?.(true);
}

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node scripts/run-ts.cjs <file.ts> [args…]');
    process.exit(2);
  }
  const file = path.resolve(entry);
  process.argv = [process.argv[0], file, ...args];
  require(file);
}
