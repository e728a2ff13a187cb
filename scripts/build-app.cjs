#!/usr/bin/env node
// Production build of one app: `node scripts/build-app.cjs <app> [outDir]` (the Nx `build`
// target). Compiles the files the app's entry points really reach — its own and its libs' — with
// the same swc settings the services run with from source, into dist/apps/<app>/ (repository
// layout kept, @gatehouse/* imports rewritten to relative paths), and writes:
//   main.js (the service), doctor.js (its start-up check), migrate.js (applies its database
//   migrations and exits), cli.js (gateway), audit-verify.js and audit-destinations.js
//   (audit-reporting);
//   package.json listing only the production packages those files require (exact versions, as
//   installed here), and package-lock.json: the root lockfile pruned to them, so
//   `npm ci --omit=dev` in that folder installs exactly what the tests ran with.
// A file requiring a package that is not a production dependency fails the build, by name.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const { transformSync } = require('@swc/core');
const { ROOT, readAliases, swcOptions } = require('./ts-runtime.cjs');

const ENTRIES = {
  main: 'src/main.ts',
  doctor: 'src/doctor/main.ts',
  cli: 'src/cli/main.ts',
  migrate: 'src/migrate/main.ts',
  // audit-reporting's commands (`gatehouse audit verify|destinations` run these in its image).
  'audit-verify': 'src/cli/audit-verify.ts',
  'audit-destinations': 'src/cli/audit-destinations.ts',
};

function fail(message) {
  console.error(`[build] ${message}`);
  process.exit(1);
}

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function resolveSource(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  fail(`${path.relative(ROOT, fromFile)} imports ${specifier}, which is not a file here`);
}

function relativeRequire(fromOut, toOut) {
  let rel = path.relative(path.dirname(fromOut), toOut).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel.replace(/\.js$/, '');
}

/** Compiles everything reachable from the entry points; returns the packages they require. */
function compile(app, out) {
  const aliases = readAliases();
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const outFor = (source) => path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
  const packages = new Map(); // name → first file that requires it
  const seen = new Set();
  const queue = [];
  const entries = {};
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const source = path.join(ROOT, 'apps', app, entry);
    if (!fs.existsSync(source)) continue;
    entries[name] = source;
    queue.push(source);
  }
  if (!entries.main) fail(`apps/${app}/src/main.ts not found: is "${app}" an app?`);
  while (queue.length > 0) {
    const source = queue.pop();
    if (seen.has(source)) continue;
    seen.add(source);
    const target = outFor(source);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!source.endsWith('.ts')) {
      fs.copyFileSync(source, target);
      continue;
    }
    const { code, map } = transformSync(fs.readFileSync(source, 'utf8'), {
      ...swcOptions,
      filename: source,
      sourceMaps: true,
      sourceFileName: path.relative(path.dirname(target), source),
    });
    const rewritten = code.replace(/require\((["'])([^"']+)\1\)/g, (whole, quote, specifier) => {
      if (builtins.has(specifier)) return whole;
      if (aliases[specifier]) {
        queue.push(aliases[specifier]);
        return `require(${quote}${relativeRequire(target, outFor(aliases[specifier]))}${quote})`;
      }
      if (specifier.startsWith('.')) {
        queue.push(resolveSource(source, specifier));
        return whole;
      }
      const name = packageNameOf(specifier);
      if (!packages.has(name)) packages.set(name, path.relative(ROOT, source));
      return whole;
    });
    fs.writeFileSync(target, `${rewritten}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    fs.writeFileSync(`${target}.map`, map);
  }
  for (const [name, source] of Object.entries(entries)) {
    fs.writeFileSync(path.join(out, `${name}.js`), `'use strict';\nrequire('${relativeRequire(path.join(out, `${name}.js`), outFor(source))}');\n`);
  }
  return { packages, files: seen.size, entries: Object.keys(entries) };
}

function installedVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * The packages to install: those required, plus the peer dependencies of those that are
 * production dependencies of the workspace (NestJS and TypeORM load their drivers and
 * platforms by name at run time: @nestjs/platform-express, pg).
 */
function dependenciesOf(required) {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const production = root.dependencies ?? {};
  const missing = [...required].filter(([name]) => !production[name]);
  if (missing.length > 0) fail(`required at run time but not in "dependencies" of package.json: ${missing.map(([n, f]) => `${n} (by ${f})`).join(', ')}`);
  const names = new Set(required.keys());
  for (const name of [...names]) {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) if (production[peer]) names.add(peer);
  }
  return Object.fromEntries([...names].sort().map((name) => [name, installedVersion(name)]));
}

/** The root lockfile cut down to the packages `dependencies` pull in, as npm resolves them. */
function prunedLock(manifest) {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const all = lock.packages;
  const kept = {};
  const visit = (fromPath, name) => {
    // npm's lookup: node_modules beside the requirer first, then each folder up.
    let dir = fromPath;
    for (;;) {
      const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
      if (all[candidate]) {
        if (kept[candidate]) return;
        const entry = { ...all[candidate] };
        delete entry.dev;
        delete entry.devOptional;
        kept[candidate] = entry;
        for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
          if (entry.peerDependenciesMeta?.[dep]?.optional && !entry.dependencies?.[dep]) continue;
          visit(candidate, dep);
        }
        return;
      }
      if (!dir) return; // an optional dependency not installed on this platform
      const up = dir.lastIndexOf('/node_modules/');
      dir = up === -1 ? '' : dir.slice(0, up);
    }
  };
  for (const name of Object.keys(manifest.dependencies)) visit('', name);
  const packages = { '': { name: manifest.name, version: manifest.version, license: manifest.license, dependencies: manifest.dependencies, engines: manifest.engines } };
  for (const key of Object.keys(kept).sort()) packages[key] = kept[key];
  return { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
}

function main() {
  const [app, outArg] = process.argv.slice(2);
  if (!app) fail('usage: node scripts/build-app.cjs <app> [outDir]');
  const out = path.resolve(outArg ?? path.join(ROOT, 'dist/apps', app));
  const started = Date.now();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const { packages, files, entries } = compile(app, out);
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const manifest = {
    name: `@gatehouse/${app}`,
    version: root.version,
    private: true,
    description: `Gatehouse ${app} (production build)`,
    license: root.license,
    main: 'main.js',
    scripts: { start: 'node main.js' },
    engines: root.engines,
    dependencies: dependenciesOf(packages),
  };
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'package-lock.json'), `${JSON.stringify(prunedLock(manifest), null, 2)}\n`);
  console.log(`[build] ${app}: ${files} files, entry points ${entries.join(', ')}, ${Object.keys(manifest.dependencies).length} production packages → ${path.relative(ROOT, out)} (${Date.now() - started} ms)`);
}

main();
