import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createTestDatabase, testKafkaBrokers, uniqueSuffix, waitFor, type TestDatabase } from '@gatehouse/testing';

const SERVICES = ['gateway', 'approval', 'audit-reporting', 'provisioning-okta', 'slack-bot'];

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Five free ports in a row, below the ephemeral range other tests' random ports come from. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21000 + Math.floor(Math.random() * 500) * 10;
    const free = await Promise.all(SERVICES.map((_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no five free ports in a row between 21000 and 25999');
}

/**
 * `npm start` itself — scripts/start.sh — on ports, a database and topics of its own, with no
 * Slack or Okta credentials: every service comes up ready, and it says plainly what is not set up.
 */
describe('npm start', () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let output = '';
  let base: number;

  beforeAll(async () => {
    base = await freePortBase();
    database = await createTestDatabase('start');
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_PORT_BASE: String(base), KAFKA_BROKERS: testKafkaBrokers().join(','), KAFKA_PORT: testKafkaBrokers()[0].split(':')[1], DATABASE_URL: database.url, KAFKA_TOPIC_PREFIX: `start${uniqueSuffix()}.`, LOG_LEVEL: 'warn' };
    for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'OKTA_ORG_URL', 'OKTA_API_TOKEN', 'OKTA_CLIENT_ID']) delete env[name];
    child = spawn('bash', ['scripts/start.sh'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await database?.drop();
  });

  it('starts every service ready, and says what needs Slack and Okta credentials', async () => {
    await waitFor(() => output.includes('[start] Gatehouse is running.') || child.exitCode !== null, { what: 'the start script to report', timeoutMs: 90_000, intervalMs: 250 });
    if (!output.includes('[start] Gatehouse is running.')) throw new Error(`npm start did not report running; its output:\n${output}`);
    for (const [i, service] of SERVICES.entries()) {
      const ready = await fetch(`http://127.0.0.1:${base + i}/readyz`);
      expect([service, ready.status]).toEqual([service, 200]);
    }
    expect(output).toContain('Slack:    not set up: set SLACK_SIGNING_SECRET (gateway) and SLACK_BOT_TOKEN (slack-bot)');
    expect(output).toContain('Okta:     not set up: set OKTA_ORG_URL and OKTA_API_TOKEN');
    // A healthy start logs nothing at error level (broker answers kafkajs retries are not errors).
    expect(output.split('\n').filter((line) => line.includes('"level":"error"'))).toEqual([]);
    // What needs the credentials says so when used: Slack's door, for one.
    const slack = await fetch(`http://127.0.0.1:${base}/slack/events`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(slack.status).toBe(503);
    expect(((await slack.json()) as { message: string }).message).toContain('set SLACK_SIGNING_SECRET');
  });

  it('prints examples that work when pasted: a token, then a request made with it', async () => {
    const banner = output.slice(output.indexOf('Try it'));
    const pasted = banner.split('\n').slice(1, 3).map((line) => line.trim());
    expect(pasted[0]).toMatch(/^export TOKEN=/);
    expect(pasted[1]).toMatch(/^curl /);
    const shell = spawn('bash', ['-c', `${pasted.join('\n')}`], { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let answer = '';
    let problems = '';
    shell.stdout?.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    shell.stderr?.on('data', (chunk: Buffer) => (problems += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => shell.once('exit', resolve));
    expect({ code, problems: problems.replace('Store the token now: it is not shown again (only its hash is kept).', '').trim() }).toEqual({ code: 0, problems: '' });
    expect(JSON.parse(answer)).toMatchObject({ request: { flow: 'production-database', requester: { email: 'you@example.com' } } });
  });

  it('stops everything it started on Ctrl-C', async () => {
    expect(child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${base}/healthz`).then(() => false, () => true)), { what: 'the gateway to stop', timeoutMs: 20_000 });
  });
});
