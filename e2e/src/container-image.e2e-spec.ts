import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_ENTRIES, SERVICE_NODE_FLAGS, type ServiceName } from '@gatehouse/testing';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const APPS = Object.keys(SERVICE_ENTRIES) as ServiceName[];

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

/** Dockerfile instructions (continuations joined, comments and parser directives dropped), grouped by stage. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) startLine = index + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [op = '', ...rest] = pending.trim().split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' '), line: startLine };
    pending = '';
    if (instruction.op === 'FROM') {
      const [image = '', as, name] = rest;
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : `#${stages.length}`, from: image, steps: [] });
    } else stages.at(-1)?.steps.push(instruction);
  });
  return stages;
}

/** Is `file` (relative, forward slashes) left out of the build context by these .dockerignore rules (Docker's: last match wins, a directory's rule covers what is in it)? */
function ignored(file: string, rules: { pattern: RegExp; exclude: boolean }[]): boolean {
  const parts = file.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let out = false;
  for (const rule of rules) if (prefixes.some((p) => rule.pattern.test(p))) out = rule.exclude;
  return out;
}

function dockerignoreRules(text: string): { pattern: RegExp; exclude: boolean }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const exclude = !l.startsWith('!');
      const glob = (exclude ? l : l.slice(1)).replace(/\/+$/, '');
      const source = glob
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { pattern: new RegExp(`^${source}$`), exclude };
    });
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === '.git' || entry === '.nx' || entry === '.gatehouse' || entry === 'dist') return [path.relative(base, path.join(dir, entry))];
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full, base) : [path.relative(base, full)];
  });
}

describe('the container image (docker/Dockerfile, .dockerignore, docker/compose.yaml)', () => {
  const stages = parseDockerfile(readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8'));
  const stage = (name: string): Stage => {
    const found = stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage "${name}" in docker/Dockerfile (stages: ${stages.map((s) => s.name).join(', ')})`);
    return found;
  };
  const steps = (s: Stage, op: string) => s.steps.filter((i) => i.op === op);

  it('builds each app in a stage of its own, from the workspace', () => {
    for (const app of APPS) {
      const build = stage(`build-${app}`);
      expect(build.from).toBe('workspace');
      expect(steps(build, 'RUN').map((i) => i.args)).toEqual([`node scripts/build-app.cjs ${app} /out`]);
    }
  });

  it('gives each app a runtime stage with its production packages and built files only, as an unprivileged user', () => {
    const runtimeInstall = readFileSync(path.join(ROOT, 'docker/runtime-install.sh'), 'utf8');
    expect(runtimeInstall).toMatch(/npm ci --omit=dev --ignore-scripts/);
    for (const app of APPS) {
      const image = stage(app);
      expect(image.from).toBe('runtime');
      const copies = steps(image, 'COPY').map((i) => i.args);
      // Only from the app's own build: its package.json and lockfile, then the built files; never node_modules.
      expect(copies).toEqual([`--from=build-${app} /out/package.json /out/package-lock.json ./`, `--from=build-${app} /out/ ./`]);
      const runs = steps(image, 'RUN').map((i) => i.args);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatch(/source=docker\/runtime-install\.sh.* sh \/tmp\/runtime-install\.sh \/app$/);
      const order = image.steps.map((i) => i.op);
      // The install comes between the manifests and the built files (a code change reuses the packages' layer), and the user is set last.
      expect(order.indexOf('RUN')).toBeGreaterThan(order.indexOf('COPY'));
      expect(order.lastIndexOf('COPY')).toBeGreaterThan(order.indexOf('RUN'));
      const users = steps(image, 'USER').map((i) => i.args);
      expect(users).toHaveLength(1);
      const [uid = ''] = (users[0] as string).split(':');
      expect(Number(uid)).toBeGreaterThan(0);
      expect(order.indexOf('USER')).toBeGreaterThan(order.lastIndexOf('RUN'));
      // Files stay root's: the service cannot change its own code.
      expect(copies.join(' ')).not.toMatch(/--chown/);
      const labels = steps(image, 'LABEL').map((i) => i.args).join(' ');
      expect(labels).toContain(`org.opencontainers.image.title="gatehouse-${app}"`);
      expect(labels).toMatch(/org\.opencontainers\.image\.description="[^"]+"/);
    }
  });

  it('runs under tini as PID 1, with a health check, OCI labels, and nothing to write outside /tmp', () => {
    const runtime = stage('runtime');
    const one = (op: string) => steps(runtime, op).map((i) => i.args);
    expect(one('ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
    expect(one('RUN').join(' ')).toMatch(/apt-get install -y --no-install-recommends tini/);
    // With the node flags npm start gives every service (one file holds them).
    expect(one('CMD')).toHaveLength(1);
    expect(JSON.parse(one('CMD')[0] ?? '')).toEqual(['node', ...SERVICE_NODE_FLAGS, 'main.js']);
    expect(one('HEALTHCHECK').join(' ')).toMatch(/CMD .*\/healthz/);
    expect(one('ENV').join(' ')).toMatch(/NODE_ENV=production/);
    const labels = one('LABEL').join(' ');
    for (const key of ['version', 'licenses', 'revision', 'source', 'vendor']) expect(labels).toContain(`org.opencontainers.image.${key}=`);
    // No volume to write to and no working files: the root filesystem can be read-only, /tmp a tmpfs.
    for (const s of stages) expect(steps(s, 'VOLUME')).toEqual([]);
    expect(steps(runtime, 'WORKDIR').map((i) => i.args)).toEqual(['/app']);
  });

  it('has a build context that holds what the image copies and no tests, dependencies or local state, and the apps build from it alone', async () => {
    const rules = dockerignoreRules(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
    const context = filesUnder(ROOT).filter((file) => !ignored(file, rules));
    for (const leftOut of ['node_modules', '.git', '.gatehouse', 'dist', 'apps/gateway/src/main.spec.ts', 'libs/testing/src/index.ts', 'apps/audit-reporting/jest.config.cjs', 'README.md']) {
      expect({ leftOut, inContext: context.includes(leftOut) }).toEqual({ leftOut, inContext: false });
    }
    expect(context.filter((f) => /\.(int-)?spec\.ts$/.test(f))).toEqual([]);
    // Every file or folder the Dockerfile copies from the context is there.
    const sources = stages.flatMap((s) => steps(s, 'COPY').filter((i) => !i.args.startsWith('--from'))).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const bound = stages.flatMap((s) => steps(s, 'RUN')).flatMap((i) => [...i.args.matchAll(/type=bind,source=([^,\s]+)/g)].map((m) => m[1] as string));
    for (const source of [...sources, ...bound]) expect({ source, inContext: context.some((f) => f === source || f.startsWith(`${source.replace(/\/$/, '')}/`)) }).toEqual({ source, inContext: true });

    // The build stages see only the context: build every app from a copy of it.
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-context-'));
    try {
      for (const file of context) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        cpSync(path.join(ROOT, file), path.join(dir, file));
      }
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      for (const app of APPS) {
        await run(process.execPath, [path.join(dir, 'scripts/build-app.cjs'), app, path.join(dir, 'out', app)]);
        expect(existsSync(path.join(dir, 'out', app, 'main.js'))).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('brings up Kafka (KRaft), PostgreSQL and the five services on a laptop with docker compose', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { image?: string; build?: { context: string; dockerfile: string; target: string }; environment?: Record<string, string | number>; depends_on?: Record<string, { condition: string }>; read_only?: boolean; tmpfs?: string[]; healthcheck?: unknown; volumes?: string[] }>;
    };
    const { kafka, postgres } = compose.services;
    expect(kafka?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka?.image).toMatch(/^apache\/kafka:3\.9/);
    expect(kafka?.healthcheck).toBeDefined();
    expect(postgres?.healthcheck).toBeDefined();
    const kafkaAddress = String(kafka?.environment?.['KAFKA_ADVERTISED_LISTENERS']).replace('PLAINTEXT://', '');
    for (const app of APPS) {
      const service = compose.services[app];
      expect(service?.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', target: app });
      expect(service?.read_only).toBe(true);
      expect(service?.tmpfs).toEqual(['/tmp']);
      expect(service?.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
      expect(service?.environment?.['KAFKA_BROKERS']).toBe(kafkaAddress);
      expect(String(service?.environment?.['DATABASE_URL'])).toMatch(/^postgres:\/\/gatehouse:gatehouse@postgres:5432\/gatehouse$/);
      expect(service?.environment?.['HOST']).toBe('0.0.0.0');
    }
    // The services that read the flows file have it mounted where GATEHOUSE_FLOWS points.
    for (const app of ['approval', 'slack-bot', 'provisioning-okta']) expect(compose.services[app]?.volumes).toContain('../docs/examples/flows.yaml:/etc/gatehouse/flows.yaml:ro');
    expect(existsSync(path.join(ROOT, 'docs/examples/flows.yaml'))).toBe(true);
  });
});
