import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { waitFor } from './infrastructure';

const ROOT = path.resolve(__dirname, '../../../..');

/** Ports handed out by this process (a port is free until its service binds it). */
const handedOut = new Set<number>();

/**
 * A free TCP port on loopback, for a service under test. The kernel may offer a port it just
 * offered again (it is free until the service binds it), and two services given one port made
 * a run where one service's /readyz answered for both; so this process hands no port out twice
 * (other processes, another test file say, may still be offered it).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * The node flags every service runs with, as `npm start` and the image start them (one file,
 * scripts/service-node-flags; why, in docs/architecture.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = readFileSync(path.join(ROOT, 'scripts/service-node-flags'), 'utf8').split(/\s+/).filter(Boolean);

/**
 * Runs a TypeScript entry point of this repository as a child process (as `npm start` does),
 * or a built one (`…/main.js`).
 * GATEHOUSE_CHILD_NODE_ARGS adds node flags to every child after `flags`, e.g. `--cpu-prof` to
 * profile the services under a benchmark (node refuses it in NODE_OPTIONS); a flag given again
 * there wins (node takes the last).
 */
export function runTs(entry: string, args: string[], env: NodeJS.ProcessEnv, flags: readonly string[] = []): ChildProcess {
  const nodeArgs = [...flags, ...(process.env['GATEHOUSE_CHILD_NODE_ARGS'] ?? '').split(' ').filter(Boolean)];
  // A built entry point (an absolute path to a runtime layout's main.js, say) runs as the image
  // runs it: plain node, from its own folder.
  if (entry.endsWith('.js')) {
    return spawn(process.execPath, [...nodeArgs, entry, ...args], { cwd: path.dirname(entry), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'scripts/run-ts.cjs'), path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * One Gatehouse service as its own OS process, with its log in .gatehouse/test-logs/. Ready
 * when its /readyz says every dependency is up.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly entry: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const dir = path.join(ROOT, '.gatehouse/test-logs', process.env['GATEHOUSE_TEST_RUN_ID'] ?? 'local');
    mkdirSync(dir, { recursive: true });
    this.logFile = path.join(dir, `${name}-${port}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The process id while it runs (to read its memory in /proc, say). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** The environment it runs with (PORT aside). */
  get environment(): NodeJS.ProcessEnv {
    return { ...this.env };
  }

  /** Resolves once /readyz says every dependency is up, or with `live`, once it answers /healthz. */
  async start({ waitUntil = 'ready' }: { waitUntil?: 'ready' | 'live' } = {}): Promise<this> {
    const child = runTs(this.entry, [], { ...this.env, PORT: String(this.port) }, SERVICE_NODE_FLAGS);
    const log = createWriteStream(this.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const probe = waitUntil === 'ready' ? 'readyz' : 'healthz';
    const ready = waitFor(async () => (await fetch(`${this.url}/${probe}`)).status === 200, {
      timeoutMs: 60000,
      intervalMs: 200,
      what: `${this.name} to be ${waitUntil} (log: ${this.logFile})`,
    });
    const died = this.exited.then((code) => {
      throw new Error(`${this.name} exited with code ${code} during start-up; see ${this.logFile}`);
    });
    await Promise.race([ready, died]);
    died.catch(() => undefined);
    return this;
  }

  /** Graceful stop (SIGTERM), as an orchestrator would; SIGKILL if it hangs. */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: no shutdown hooks, no flushing. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
