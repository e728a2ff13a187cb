import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTs } from '@gatehouse/testing';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runTs('apps/gateway/src/cli/main.ts', args, {});
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('gatehouse flows validate', () => {
  it('accepts the example flows and summarises them', async () => {
    const { code, stdout } = await cli(['flows', 'validate', 'docs/examples/flows.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('✓ production-database: 2 target(s), durations 30m/1h/2h/8h, 1 approval(s)');
    expect(stdout).toContain('is valid (3 flows)');
  });

  it('exits 1 and points at the line of each problem', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'flows-')), 'flows.yaml');
    writeFileSync(file, 'flows:\n  - name: prod\n    targets: []\n    durations: [1h]\n    approval: {}\n');
    const { code, stderr } = await cli(['flows', 'validate', file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:3:14 flows[0].targets: a flow needs at least one target`);
  });
});
