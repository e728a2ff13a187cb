import { Pool } from 'pg';
import { GatehouseSystem } from '../gatehouse-system';
import { SOAK_FLOWS_FILE, uniqueSuffix, waitFor } from '../infrastructure';
import { FaultInjector, type FaultKind, type FaultRecord } from './fault-injector';
import { checkInvariants, type Invariant } from './soak-invariants';
import { SOAK_APPROVERS, SOAK_FLOW, SoakLoad, type LoadCounts } from './soak-load';

export interface SoakOptions {
  minutes: number;
  /** New requests per second (each then decided and ended in its turn). */
  ratePerSecond: number;
  faultEverySeconds: number;
  /** Picks the victims; print it to replay a soak's faults. */
  seed: number;
  /** Only these faults (default: every kind, in turn). */
  faults?: readonly FaultKind[];
  /** How long the system may take, once faults stop, to finish every request's steps. */
  settleSeconds?: number;
  log: (line: string) => void;
}

export interface SoakReport {
  load: LoadCounts;
  /** Each POST's send time and answer (0: none), for a timeline. */
  answers: SoakLoad['answers'];
  startedAt: number;
  faults: FaultRecord[];
  invariants: Invariant[];
  /** From the last fault healed to every request's steps done. */
  settledInMs: number;
  ok: boolean;
}

/**
 * The chaos soak: the whole system as processes under steady mixed load while faults arrive
 * every few seconds; then the faults stop, the system gets time to settle, and the invariants
 * are checked. Never throws for a broken invariant: the report says which, with the figures.
 */
export async function runChaosSoak(options: SoakOptions): Promise<SoakReport> {
  const { log } = options;
  log(`starting the five services (soak flow, fake Okta and Slack)…`);
  const system = await GatehouseSystem.start('soak', { flowsFile: SOAK_FLOWS_FILE });
  const db = new Pool({ connectionString: system.database.url, max: 4 });
  db.on('error', () => undefined); // idle connections cut by a PostgreSQL restart: the pool makes new ones
  try {
    system.okta.addGroup(SOAK_FLOW.group);
    for (const approver of SOAK_APPROVERS) system.slack.addUser({ id: approver.slackId, email: approver.email });
    const token = await system.mintToken({ service: 'soak-ticketing' }, ['requests:write', 'requests:read-all', 'decisions:write', 'act-as']);
    const load = new SoakLoad(system, db, token, { ratePerSecond: options.ratePerSecond, runId: uniqueSuffix() });
    const injector = new FaultInjector(system, { everySeconds: options.faultEverySeconds, seed: options.seed, log, kinds: options.faults });

    log(`soaking for ${options.minutes} min: ${options.ratePerSecond} requests/s, a fault every ${options.faultEverySeconds} s (seed ${options.seed})`);
    const started = Date.now();
    load.startRequests();
    load.startActing();
    injector.start();
    const progress = setInterval(() => {
      const c = load.counts;
      void slackBacklog(db).then((backlog) =>
        log(
          `  ${Math.round((Date.now() - started) / 1000)} s: ${c.offered} requests offered (${c.created} created, ${c.unavailable} turned away), ${c.approvedByApi} approved by API, ${c.slackClicks} clicks in Slack (${c.slackTooLate} too late), ${c.denied + c.cancelled} denied or cancelled, ${c.revoked + c.expired} revoked or expired; ${injector.faults.length} faults; Slack work queued ${backlog}`,
        ),
      );
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, options.minutes * 60_000));
    load.stopRequests();
    log(`load stopped; waiting for the fault under way to heal…`);
    await injector.stop();
    clearInterval(progress);
    heal(system);

    const settleFrom = Date.now();
    const settleMs = (options.settleSeconds ?? 180) * 1000;
    log(`faults stopped; letting every request finish its steps (up to ${settleMs / 1000} s)…`);
    let left = Number.POSITIVE_INFINITY;
    while (Date.now() - settleFrom < settleMs) {
      left = await load.unfinished().catch(() => Number.POSITIVE_INFINITY);
      if (left === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const settledInMs = Date.now() - settleFrom;
    await load.stop();
    log(left === 0 ? `settled in ${(settledInMs / 1000).toFixed(1)} s; checking the invariants…` : `${left} requests still waiting after ${settleMs / 1000} s; checking the invariants…`);
    // What the last steps set off is published before anything is counted.
    await outboxesDrained(db).catch((error: unknown) => log(`  ${error instanceof Error ? error.message : String(error)}`));
    const invariants = await checkInvariants(system, db, load, injector.unplannedExits);
    return { load: load.counts, answers: load.answers, startedAt: started, faults: injector.faults, invariants, settledInMs, ok: invariants.every((i) => i.ok) };
  } finally {
    await db.end();
    await system.stop();
  }
}

/** Faults cleared: Okta and Slack answer normally again. */
function heal(system: GatehouseSystem): void {
  system.okta.failNext(0);
  system.okta.rateLimitPerMinute = undefined;
  system.okta.rateLimitWindowMs = 60_000;
}

/** Waits until every service's outbox has published what it holds (up to a minute). */
async function outboxesDrained(db: Pool): Promise<void> {
  const schemas = (await db.query<{ schema: string }>(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'outbox'`)).rows.map((r) => r.schema);
  const count = `SELECT ${schemas.map((s) => `(SELECT count(*) FROM "${s}".outbox WHERE published_at IS NULL)`).join(' + ') || '0'} AS n`;
  await waitFor(async () => Number((await db.query<{ n: string }>(count)).rows[0]?.n) === 0, { what: 'every outbox published', timeoutMs: 60_000, intervalMs: 250 });
}

/** Slack calls slack-bot has queued and not yet made (its backlog), or '?' while PostgreSQL restarts. */
async function slackBacklog(db: Pool): Promise<string> {
  try {
    return String((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM slack_bot.outgoing`)).rows[0]?.n ?? 0);
  } catch {
    return '?';
  }
}
