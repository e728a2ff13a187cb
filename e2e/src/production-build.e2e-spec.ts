import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GatehouseSystem, renderChart, SERVICE_ENTRIES, waitFor, type KubeObject, type ServiceName } from '@gatehouse/testing';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const APPS = Object.keys(SERVICE_ENTRIES) as ServiceName[];

/** Packages only tests, builds and tools use: none may reach a runtime layout. */
const DEV_ONLY = ['typescript', '@swc/core', 'jest', 'nx', '@nx/eslint-plugin', 'eslint', 'supertest', 'playwright-core', 'ajv', '@okta/okta-sdk-nodejs', 'ws'];

/**
 * What ships is what is tested: each app's production build, installed as the image's runtime
 * stage installs it (scripts/runtime-layout.sh), started with `node main.js` from its own
 * folder — then a request goes through all five, from the API to Okta and back out, and into
 * the audit trail.
 */
describe('the production builds, run from their runtime layouts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-layouts-'));
  const layouts = Object.fromEntries(APPS.map((app) => [app, path.join(dir, app)])) as Record<ServiceName, string>;
  let system: GatehouseSystem;

  beforeAll(async () => {
    // Two at a time: the installs are mostly waiting on the disk and npm's cache.
    for (let i = 0; i < APPS.length; i += 2) {
      await Promise.all(APPS.slice(i, i + 2).map((app) => run('bash', [path.join(ROOT, 'scripts/runtime-layout.sh'), app, layouts[app]], { cwd: ROOT })));
    }
    system = await GatehouseSystem.start('built', { layouts });
    system.okta.addGroup('00gprdbreadonly00001');
    system.okta.addUser('ada@example.com');
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds only the built files and the production packages each app requires', () => {
    const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const app of APPS) {
      const layout = layouts[app];
      const manifest = JSON.parse(readFileSync(path.join(layout, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; main: string };
      expect(manifest.main).toBe('main.js');
      for (const name of Object.keys(manifest.dependencies)) expect({ app, name, production: name in root.dependencies }).toEqual({ app, name, production: true });
      for (const name of DEV_ONLY) expect({ app, name, installed: existsSync(path.join(layout, 'node_modules', name)) }).toEqual({ app, name, installed: false });
      // No TypeScript source and no run-time compiler: the service starts from JavaScript.
      expect(existsSync(path.join(layout, 'apps', app, 'src', 'main.js'))).toBe(true);
      expect(existsSync(path.join(layout, 'apps', app, 'src', 'main.ts'))).toBe(false);
    }
    expect(Object.keys((JSON.parse(readFileSync(path.join(layouts['slack-bot'], 'package.json'), 'utf8')) as { dependencies: object }).dependencies)).toContain('@slack/bolt');
    expect(Object.keys((JSON.parse(readFileSync(path.join(layouts.gateway, 'package.json'), 'utf8')) as { dependencies: object }).dependencies)).not.toContain('@slack/bolt');
  });

  it('migrates a fresh database with each layout’s migrate.js (as the chart’s Job does), and says so when it cannot', async () => {
    const database = system.env['DATABASE_URL'] as string;
    const fresh = `${database}_migrate`;
    const freshName = fresh.split('/').pop() as string;
    const admin = (sql: string) => run('psql', [database, '-qAtc', sql]);
    await admin(`DROP DATABASE IF EXISTS "${freshName}"`);
    await admin(`CREATE DATABASE "${freshName}"`);
    try {
      for (const app of APPS) {
        const migrate = async () => JSON.parse((await run(process.execPath, ['migrate.js'], { cwd: layouts[app], env: { PATH: process.env['PATH'], NODE_ENV: 'production', DATABASE_URL: fresh } })).stdout) as { service: string; applied: string[]; status: string };
        const first = await migrate();
        expect(first).toMatchObject({ service: app, status: 'current' });
        expect(first.applied.length).toBeGreaterThan(0);
        expect((await migrate()).applied).toEqual([]);
      }
      const refused = await run(process.execPath, ['migrate.js'], { cwd: layouts.approval, env: { PATH: process.env['PATH'], NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toMatch(/approval: migrations of schema "approval" failed: .*ECONNREFUSED/);
    } finally {
      await admin(`DROP DATABASE IF EXISTS "${freshName}" WITH (FORCE)`);
    }
  }, 120_000);

  it('answers the Helm chart’s probes on the port and paths the chart gives, and accepts the environment the chart gives each service', async () => {
    const objects = await renderChart('k8s/gatehouse', { values: ['k8s/gatehouse/ci/inline-values.yaml'], setFiles: { flows: 'docs/examples/flows.yaml', 'audit.destinations': 'docs/examples/audit-destinations.yaml' } });
    type Probe = { httpGet: { path: string; port: string } };
    type Container = { env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[]; startupProbe: Probe; livenessProbe: Probe; readinessProbe: Probe; ports: { name: string; containerPort: number }[] };
    const secrets = new Map(
      objects
        .filter((o) => o.kind === 'Secret')
        .flatMap((o) => Object.entries((o as KubeObject & { data: Record<string, string> }).data).map(([key, value]) => [`${o.metadata.name}/${key}`, Buffer.from(value, 'base64').toString()] as const)),
    );
    for (const app of APPS) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === app) as KubeObject & { spec: { template: { spec: { containers: Container[] } } } };
      const container = deployment.spec.template.spec.containers[0] as Container;
      // The probes, against the service running from its layout.
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        expect(probe.httpGet.port).toBe('http');
        expect({ app, path: probe.httpGet.path, status: (await fetch(`${system.services[app].url}${probe.httpGet.path}`)).status }).toEqual({ app, path: probe.httpGet.path, status: 200 });
      }
      // The environment, checked by the service's own configuration check (its doctor, from the layout).
      const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] };
      for (const variable of container.env) env[variable.name] = variable.value ?? secrets.get(`${variable.valueFrom?.secretKeyRef.name}/${variable.valueFrom?.secretKeyRef.key}`);
      expect(env['PORT']).toBe(String(container.ports.find((p) => p.name === 'http')?.containerPort));
      const { stdout } = await run(process.execPath, ['doctor.js'], { cwd: layouts[app], env });
      const configuration = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { check: string; status: string; detail: string })[0];
      expect({ app, configuration }).toEqual({ app, configuration: { service: app, check: 'configuration', status: 'pass', detail: 'environment valid' } });
    }
  }, 120_000);

  it('takes a request from the API through approval and Okta into the audit trail', async () => {
    const person = ['requests:read', 'requests:write', 'decisions:write'];
    // Minted by the built command line (cli.js in the gateway's layout).
    const [ada, dba1, auditor] = await Promise.all([
      system.mintToken({ for: 'ada@example.com' }, person),
      system.mintToken({ for: 'dba1@example.com' }, person),
      system.mintToken({ service: 'built-compliance' }, ['audit:read', 'requests:read-all']),
    ]);
    const call = async (token: string, url: string, body?: unknown) =>
      fetch(`${system.gatewayUrl}${url}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const created = await call(ada, '/api/v1/requests', { flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: 'INC-77 built image check' });
    expect(created.status).toBe(201);
    const { request } = (await created.json()) as { request: { id: string } };
    expect((await call(dba1, `/api/v1/requests/${request.id}/approve`, {})).status).toBe(200);
    await waitFor(async () => ((await (await call(ada, `/api/v1/requests/${request.id}`)).json()) as { request: { status: string } }).request.status === 'ACTIVE', { what: 'ACTIVE', timeoutMs: 30000 });
    expect(system.okta.isMember('00gprdbreadonly00001', 'ada@example.com')).toBe(true);
    expect((await call(ada, `/api/v1/requests/${request.id}/revoke`, {})).status).toBe(200);
    await waitFor(async () => !system.okta.isMember('00gprdbreadonly00001', 'ada@example.com'), { what: 'ada out of the Okta group', timeoutMs: 30000 });
    const types = await waitFor(
      async () => {
        const body = (await (await call(auditor, `/api/v1/audit?requestId=${request.id}`)).json()) as { records: { type: string }[] };
        const seen = body.records.map((r) => r.type);
        return seen.includes('access.ended') ? seen : undefined;
      },
      { what: 'the whole request in the audit trail', timeoutMs: 30000 },
    );
    expect(types).toEqual(expect.arrayContaining(['access.requested', 'access.approved', 'access.activated', 'provisioning.granted', 'access.revoking', 'provisioning.revoked', 'access.ended']));
    // `gatehouse audit verify` as an operator runs it in the audit-reporting image.
    const verified = await run(process.execPath, ['audit-verify.js'], { cwd: layouts['audit-reporting'], env: { PATH: process.env['PATH'], NODE_ENV: 'production', KAFKA_BROKERS: system.env['KAFKA_BROKERS'], DATABASE_URL: system.env['DATABASE_URL'] } });
    expect(verified.stdout).toMatch(/✓ \d+ records verified: every hash recomputed/);
  });
});
