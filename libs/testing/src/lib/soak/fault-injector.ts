import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GatehouseSystem, ServiceName } from '../gatehouse-system';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const FAULT_KINDS = ['kill-service', 'stop-broker', 'restart-postgres', 'okta-429', 'okta-5xx', 'slack-5xx'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  /** What exactly: the service killed, how long the broker was down… */
  detail: string;
  at: number;
  /** How long until the system had it back (the service ready again, the broker up…). */
  tookMs: number;
  error?: string;
}

/** A small seeded generator, so a soak's faults can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Every few seconds, one fault from the list, in turn, on a random victim: SIGKILL a service
 * (then start it again, as its orchestrator would), stop the broker for a few seconds, restart
 * PostgreSQL, make the fake Okta answer 429 (with its rate-limit headers) or 5xx for a while,
 * make the fake Slack answer 5xx. One fault at a time: the next waits for the last to heal.
 */
export class FaultInjector {
  readonly faults: FaultRecord[] = [];
  /** Services that died without being killed (a crash the soak did not cause), restarted. */
  readonly unplannedExits: string[] = [];
  private running = false;
  private loop?: Promise<void>;
  private watchdog?: NodeJS.Timeout;
  private readonly restarting = new Set<ServiceName>();
  private readonly random: () => number;

  constructor(
    private readonly system: GatehouseSystem,
    private readonly options: { everySeconds: number; seed: number; log: (line: string) => void; kinds?: readonly FaultKind[] },
  ) {
    this.random = seededRandom(options.seed);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.watchdog = setInterval(() => void this.restartTheDead(), 1000);
  }

  /** Stops injecting (after the first round, if it is not done); resolves once the last fault has healed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    clearInterval(this.watchdog);
    await this.restartTheDead();
  }

  private async run(): Promise<void> {
    const kinds = this.options.kinds ?? FAULT_KINDS;
    // The first round is finished even when stopped early: every kind is injected at least
    // once, however slowly the faults heal on a busy host (a short soak managed four in 2 min).
    for (let n = 0; this.running || n < kinds.length; n++) {
      await this.sleepWhileRunning(this.options.everySeconds * 1000);
      if (!this.running && n >= kinds.length) break;
      const kind = kinds[n % kinds.length] as FaultKind;
      const at = Date.now();
      let detail = '';
      try {
        detail = await this.inject(kind);
        this.faults.push({ kind, detail, at, tookMs: Date.now() - at });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.faults.push({ kind, detail, at, tookMs: Date.now() - at, error: message });
        this.options.log(`  fault ${kind} failed: ${message}`);
        continue;
      }
      this.options.log(`  fault ${String(this.faults.length).padStart(3)}: ${kind.padEnd(16)} ${detail} (healed in ${((Date.now() - at) / 1000).toFixed(1)} s)`);
    }
  }

  private async inject(kind: FaultKind): Promise<string> {
    const { okta, slack } = this.system;
    switch (kind) {
      case 'kill-service': {
        const names = Object.keys(this.system.services) as ServiceName[];
        const name = names[Math.floor(this.random() * names.length)] as ServiceName;
        this.restarting.add(name);
        try {
          await this.system.services[name].kill();
          await sleep(500 + this.random() * 1500);
          await this.system.services[name].start();
        } finally {
          this.restarting.delete(name);
        }
        return `SIGKILL ${name}, started again`;
      }
      case 'stop-broker': {
        const downMs = 2000 + Math.round(this.random() * 4000);
        const kafka = (command: string) => run('bash', [path.join(ROOT, 'scripts/kafka.sh'), command], { env: this.brokerEnv() });
        // Only a broker this script runs (its state dir, its port) is stopped and started again, data kept.
        await kafka('status').catch(() => {
          throw new Error(`the broker on ${String(this.system.env['KAFKA_BROKERS'])} was not started by scripts/kafka.sh with KAFKA_STATE_DIR=${process.env['KAFKA_STATE_DIR'] ?? '(unset)'}; the soak cannot stop it`);
        });
        await kafka('stop');
        await sleep(downMs);
        await kafka('start');
        return `broker down ${(downMs / 1000).toFixed(1)} s, then started`;
      }
      case 'restart-postgres': {
        const command = await postgresRestartCommand();
        await run(command[0] as string, command.slice(1)).catch((error: { stderr?: string; message?: string }) => {
          throw new Error(`could not restart PostgreSQL with "${command.join(' ')}" (${(error.stderr || error.message || '').trim()}); set SOAK_POSTGRES_RESTART to a command that can, e.g. "sudo ${command.join(' ')}"`);
        });
        return command.join(' ');
      }
      case 'okta-429': {
        // Okta's own answer to a burst: 429 with X-Rate-Limit-Reset, for a few seconds.
        okta.rateLimitWindowMs = 2000;
        okta.rateLimitPerMinute = 2;
        await sleep(4000);
        okta.rateLimitPerMinute = undefined;
        okta.rateLimitWindowMs = 60_000;
        return 'Okta rate-limits every endpoint to 2 calls per 2 s, for 4 s';
      }
      case 'okta-5xx': {
        const status = [500, 502, 503][Math.floor(this.random() * 3)] as number;
        okta.failNext(6, status);
        await sleep(3000);
        okta.failNext(0, status);
        return `Okta answers its next 6 calls ${status} (within 3 s)`;
      }
      case 'slack-5xx': {
        const status = [500, 503][Math.floor(this.random() * 2)] as number;
        for (const method of ['chat.postMessage', 'chat.update', 'conversations.open', 'users.lookupByEmail']) slack.breakNext(method, { status }, 4);
        await sleep(3000);
        return `Slack answers chat.postMessage, chat.update, conversations.open and users.lookupByEmail ${status}, 4 times each`;
      }
    }
  }

  /** scripts/kafka.sh's environment for the system's broker: its port, never a fresh start. */
  private brokerEnv(): NodeJS.ProcessEnv {
    const port = String(this.system.env['KAFKA_BROKERS'] ?? '').split(',')[0]?.split(':')[1];
    return { ...process.env, KAFKA_PORT: process.env['KAFKA_PORT'] ?? port, KAFKA_FRESH: '' };
  }

  /** A service that died on its own is counted and started again, as its orchestrator would. */
  private async restartTheDead(): Promise<void> {
    for (const [name, service] of Object.entries(this.system.services) as [ServiceName, GatehouseSystem['services'][ServiceName]][]) {
      if (service.pid !== undefined || this.restarting.has(name)) continue;
      this.restarting.add(name);
      this.unplannedExits.push(`${name} exited on its own at ${new Date().toISOString()} (log: ${service.logFile})`);
      this.options.log(`  ${name} exited on its own; starting it again`);
      try {
        await service.start();
      } catch (error) {
        this.options.log(`  ${name} did not start again: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.restarting.delete(name);
      }
    }
  }

  private async sleepWhileRunning(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await sleep(Math.min(200, until - Date.now()));
  }
}

/**
 * How to restart the PostgreSQL the tests use: SOAK_POSTGRES_RESTART if set, else Debian's
 * pg_ctlcluster for the cluster on PGPORT (5432), found with pg_lsclusters.
 */
async function postgresRestartCommand(): Promise<string[]> {
  const configured = process.env['SOAK_POSTGRES_RESTART'];
  if (configured) return configured.split(' ').filter(Boolean);
  const port = process.env['PGPORT'] ?? '5432';
  const { stdout } = await run('pg_lsclusters', ['-h']);
  const cluster = stdout.split('\n').map((line) => line.trim().split(/\s+/)).find((fields) => fields[2] === port);
  if (!cluster) throw new Error(`no PostgreSQL cluster on port ${port} in pg_lsclusters; set SOAK_POSTGRES_RESTART to the command that restarts it`);
  return ['pg_ctlcluster', '--skip-systemctl-redirect', cluster[0] as string, cluster[1] as string, 'restart'];
}
