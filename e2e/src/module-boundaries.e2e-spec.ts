import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The layer rules are real: the same ESLint configuration `npm test` runs rejects each
 * forbidden import below. (Files are linted from memory; nothing is written.)
 */
// ESLint's flat config is an ES module, which Jest's VM cannot load: lint in a child process.
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const c of cases) {
  const [result] = await eslint.lintText(c.code, { filePath: c.filePath });
  out.push(result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

function lintBoundaries(cases: { filePath: string; code: string }[]): string[][] {
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(cases.map((c) => ({ ...c, filePath: path.join(ROOT, c.filePath) })))],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' }, timeout: 120000 },
  );
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

describe('module boundaries are enforced by the lint', () => {
  const forbidden: [string, string, string][] = [
    ['an app importing another app', 'apps/gateway/src/bad.ts', "import { AppModule } from '../../approval/src/app.module';\nexport const x = AppModule;\n"],
    ['contracts importing another lib', 'libs/contracts/src/bad.ts', "import { createLogger } from '@gatehouse/observability';\nexport const x = createLogger;\n"],
    ['contracts importing a package other than zod', 'libs/contracts/src/bad.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n"],
    ['config importing messaging', 'libs/config/src/bad.ts', "import { KafkaConnection } from '@gatehouse/messaging';\nexport const x = KafkaConnection;\n"],
    ['production code of an app importing the testing lib', 'apps/approval/src/bad.ts', "import { waitFor } from '@gatehouse/testing';\nexport const x = waitFor;\n"],
  ];
  const allowed: [string, string, string][] = [
    ['an app importing the libs it may use', 'apps/approval/src/ok.ts', "import { TOPICS } from '@gatehouse/contracts';\nimport { UnitOfWork } from '@gatehouse/messaging';\nexport const x = [TOPICS, UnitOfWork];\n"],
    ['contracts importing zod', 'libs/contracts/src/ok.ts', "import { z } from 'zod';\nexport const x = z.string();\n"],
    ['a test of an app importing the testing lib', 'apps/approval/src/ok.int-spec.ts', "import { waitFor } from '@gatehouse/testing';\nexport const x = waitFor;\n"],
  ];
  let results: string[][];

  beforeAll(() => {
    results = lintBoundaries([...forbidden, ...allowed].map(([, filePath, code]) => ({ filePath, code })));
  });

  it.each(forbidden.map((c, i) => [c[0], i] as const))('rejects %s', (_label, index) => {
    expect(results[index]).not.toEqual([]);
  });

  it.each(allowed.map((c, i) => [c[0], forbidden.length + i] as const))('allows %s', (_label, index) => {
    expect(results[index]).toEqual([]);
  });
});
