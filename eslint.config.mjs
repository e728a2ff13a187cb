import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

// Layer rules of docs/architecture.md, enforced: apps never import apps, libs never import
// apps, contracts import only zod, and each lib only what the design table allows.
const libsForApps = ['lib:contracts', 'lib:messaging', 'lib:config', 'lib:persistence', 'lib:observability'];
const depConstraints = [
  { sourceTag: 'lib:contracts', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod'] },
  { sourceTag: 'lib:observability', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'lib:config', onlyDependOnLibsWithTags: ['lib:contracts'] },
  { sourceTag: 'lib:persistence', onlyDependOnLibsWithTags: ['lib:config', 'lib:observability'] },
  { sourceTag: 'lib:messaging', onlyDependOnLibsWithTags: ['lib:contracts', 'lib:observability'] },
  { sourceTag: 'lib:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: libsForApps },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
];
// Tests (and their fixtures) may also use the testing lib.
const testDepConstraints = depConstraints.map((c) => ({ ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'lib:testing'] }));
const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], banTransitiveDependencies: false, depConstraints: constraints },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', '.gatehouse/**', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/src/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testDepConstraints) },
  },
  {
    // Entry points and tools talk to a person on the terminal.
    files: ['**/src/main.ts', '**/cli/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts', 'e2e/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
