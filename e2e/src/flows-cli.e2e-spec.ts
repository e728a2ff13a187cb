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

describe('gatehouse slack manifest', () => {
  it('prints a manifest for HTTP mode that points Slack at the gateway, and says what to set next', async () => {
    const { code, stdout, stderr } = await cli(['slack', 'manifest', '--url', 'https://gatehouse.example.com', '--name', 'Access']);
    expect(code).toBe(0);
    const manifest = JSON.parse(stdout) as { display_information: { name: string }; settings: { interactivity: { request_url: string }; socket_mode_enabled: boolean } };
    expect(manifest.display_information.name).toBe('Access');
    expect(manifest.settings.interactivity.request_url).toBe('https://gatehouse.example.com/slack/events');
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(stderr).toContain('SLACK_SIGNING_SECRET');
  });

  it('prints a Socket Mode manifest with no URL, and names the app-level token', async () => {
    const { code, stdout, stderr } = await cli(['slack', 'manifest', '--socket-mode']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('https://');
    expect((JSON.parse(stdout) as { settings: { socket_mode_enabled: boolean } }).settings.socket_mode_enabled).toBe(true);
    expect(stderr).toContain('SLACK_APP_TOKEN');
  });

  it('exits 2 and says what is missing', async () => {
    const { code, stdout, stderr } = await cli(['slack', 'manifest']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--url https://<gateway>');
  });
});
