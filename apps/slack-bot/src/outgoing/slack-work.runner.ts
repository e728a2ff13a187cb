import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FlowsFile } from '@gatehouse/config';
import type { WebClient } from '@slack/web-api';
import { UnitOfWork, type Transaction } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SlackApp } from '../bolt/slack-app';
import { FLOWS } from '../flows/flows';
import { SlackCallFailed } from '../slack-api/slack-call-failed';
import { slackFailureOf } from '../slack-api/slack-failure';
import { reportDeliveryFailure } from './delivery-failure';
import { onlyTo, SlackWorkDoer, StoppedPartWay, type Setback } from './do-slack-work';
import type { AskRecipient, SlackWork, SlackWorkKind } from './slack-work';

/** Several requests' work goes on at once (one slow channel does not hold up the others). */
const LANES = 4;
/**
 * Rows a lane claims and does in one transaction. One transaction a row was four round trips
 * (begin, claim, delete, commit) for work that often makes no Slack call at all (an approver
 * without a Slack account), the largest share of slack-bot's database time at 500 requests/s.
 * The rows are done concurrently and commit together, so a batch lasts as long as its slowest
 * row (asks to one channel are paced to about one a second): eight keeps that to seconds. A
 * batch whose transaction fails puts all its rows back, and what they had posted is posted
 * again; its rows are then tried one a transaction (see `suspects`), so a row that fails every
 * time fails alone, as it did before batches.
 */
const CLAIM_AT_ONCE = 8;
/** How long rows of a failed batch are tried one a transaction before they may share again. */
const SUSPECT_MS = 10 * 60_000;
/** How long a nudge waits for others to come with it (Slack work is for people: 10 ms is nothing). */
const NUDGE_GATHER_MS = 10;
/** How often an idle lane looks for work it was not nudged about (another replica's, retries). */
const IDLE_POLL_MS = 1000;
/** Waits between tries: 1 s doubling to 5 min; after this many tries (about 2 hours) it is given up. */
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 300_000;
export const MAX_ATTEMPTS = 30;

interface Row {
  id: string;
  request_id: string;
  kind: SlackWorkKind;
  payload: Record<string, unknown>;
  attempts: number;
  /** In-order work of the same request waits behind this row (it is due once this is done). */
  behind?: boolean;
}

export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Does the queued Slack work. Rows are claimed with FOR UPDATE SKIP LOCKED (several at a time),
 * each only when no earlier row of the same request is left, so each request's work is done in order while
 * replicas and lanes share the rest (error-channel reports and App Home refreshes neither wait
 * nor hold anything up; refreshes of one person's Home are done once for all). A refresh also takes the refreshes queued right behind
 * it (it renders the request as it is now, which covers them). Work that fails for a while
 * is tried again later; work that cannot succeed is reported (see reportDeliveryFailure).
 */
@Injectable()
export class SlackWorkRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private wakeSoon: NodeJS.Timeout | undefined;
  private nudgedWhileBusy = false;
  /** Work queued (nudges, and follow-ups this runner queued), counted: a lane that saw more queued while it worked looks again. */
  private queued = 0;
  /** Rows of a batch that failed, by id, with when: tried alone until SUSPECT_MS has passed. */
  private readonly suspects = new Map<string, number>();
  private readonly waiting = new Set<() => void>();
  private lanes: Promise<void>[] = [];

  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly slack: SlackApp,
    private readonly doer: SlackWorkDoer,
    @Inject(FLOWS) private readonly flows: FlowsFile,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.slack.client) return;
    this.lanes = Array.from({ length: LANES }, () => this.lane());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.wakeSoon);
    for (const wake of [...this.waiting]) wake();
    await Promise.all(this.lanes);
  }

  /**
   * New work was queued: one idle lane looks shortly (a busy lane looks again when it is done).
   * Waking every idle lane made an empty claim — a transaction — for each lane but one; waking
   * one at once for each event made a transaction of one or two rows each under load. Nudges
   * within NUDGE_GATHER_MS wake one lane, which claims what they queued together.
   */
  nudge(): void {
    this.queued += 1;
    if (this.wakeSoon) return;
    this.wakeSoon = setTimeout(() => {
      this.wakeSoon = undefined;
      this.wakeOne();
    }, NUDGE_GATHER_MS);
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      const queuedBefore = this.queued;
      const next = await this.next().catch((error: unknown) => {
        this.logger.error({ err: error }, 'Slack work failed unexpectedly; trying again shortly');
        return 'done' as const;
      });
      // More may be due — said so, or queued while this lane worked (perhaps behind the rows it
      // held): this lane goes on. Else it waits for the next nudge (or its next look).
      const more = next === 'more' || this.queued !== queuedBefore || this.nudgedWhileBusy;
      this.nudgedWhileBusy = false;
      if (!more) await this.idle();
    }
  }

  private wakeOne(): void {
    const [first] = this.waiting;
    if (first) first();
    // Every lane is busy: the first to finish looks again rather than waiting for its next look.
    else this.nudgedWhileBusy = true;
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      this.waiting.add(done);
    });
  }

  /**
   * Claims the next pieces of work that are due — up to CLAIM_AT_ONCE, each the first left of
   * its request (or a report or Home refresh) — and does them together in one transaction
   * (with, for a refresh, the refreshes of the same request queued right behind it); 'more' when
   * more may be due at once.
   */
  private next(): Promise<'more' | 'done'> {
    const client = this.slack.client;
    if (!client) return Promise.resolve('done');
    const suspects = this.currentSuspects();
    return this.uow.run(async (tx) => {
      let rows = suspects.length > 0 ? await this.claim(tx, 1, { only: suspects }) : [];
      const alone = rows.length > 0;
      if (!alone) rows = await this.claim(tx, CLAIM_AT_ONCE, { except: suspects });
      if (rows.length === 0) return 'done';
      const claimed = onePerHome(rows);
      // Every row runs to its end before the transaction ends, even when one has failed: a
      // row still posting to Slack must keep its lock until the rollback.
      const settled = await Promise.allSettled(claimed.map((row) => this.claimAndDo(client, tx, row)));
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        if (!alone) for (const row of rows) this.suspects.set(row.id, Date.now());
        throw failed.reason;
      }
      const outcomes = settled.map((r) => (r as PromiseFulfilledResult<string[] | 'more' | 'kept'>).value);
      const done = outcomes.flatMap((o) => (Array.isArray(o) ? o : []));
      if (done.length > 0) await tx.manager.query(`DELETE FROM slack_bot.outgoing WHERE id = ANY($1::bigint[])`, [done]);
      if (alone) for (const row of rows) this.suspects.delete(row.id);
      // More is due now after a full claim, an ask with recipients left, or a row done that
      // had its request's next work waiting behind it (a thread reply after a refresh, say).
      const unblocked = claimed.some((row, i) => row.behind && Array.isArray(outcomes[i]));
      return alone || rows.length === CLAIM_AT_ONCE || unblocked || outcomes.includes('more') ? 'more' : 'done';
    });
  }

  /**
   * Due rows, each the first left of its request (or a report or Home refresh), oldest first,
   * locked for this transaction: at most `limit`, among `only` or leaving out `except`.
   */
  private claim(tx: Transaction, limit: number, among: { only?: string[]; except?: string[] }): Promise<Row[]> {
    const filter = among.only ? 'AND o.id = ANY($2::bigint[])' : among.except && among.except.length > 0 ? 'AND NOT (o.id = ANY($2::bigint[]))' : '';
    return tx.manager.query(
      `SELECT id, request_id, kind, payload, attempts,
              EXISTS (SELECT 1 FROM slack_bot.outgoing l WHERE l.request_id = o.request_id AND l.id > o.id AND l.kind NOT IN ('report', 'home')) AS behind
         FROM slack_bot.outgoing o
        WHERE due_at <= now() ${filter}
          AND (o.kind IN ('report', 'home') OR NOT EXISTS (SELECT 1 FROM slack_bot.outgoing e WHERE e.request_id = o.request_id AND e.id < o.id AND e.kind NOT IN ('report', 'home')))
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      filter ? [limit, among.only ?? among.except] : [limit],
    );
  }

  /** The rows still to be tried alone (those of a batch that failed, for SUSPECT_MS). */
  private currentSuspects(): string[] {
    const now = Date.now();
    for (const [id, since] of this.suspects) if (now - since > SUSPECT_MS) this.suspects.delete(id);
    return [...this.suspects.keys()];
  }

  /** Does one claimed row: the ids of the rows it finished, or whether more of it is due at once. */
  private async claimAndDo(client: WebClient, tx: Transaction, row: Row): Promise<string[] | 'more' | 'kept'> {
    const ids = [row.id, ...(row.kind === 'refresh' ? (await this.refreshesBehind(tx, row)).map((r) => r.id) : row.kind === 'home' ? await this.sameHomes(tx, row) : [])];
    const outcome = await this.doPiece(client, tx, row, workOf(row));
    return outcome === 'finished' ? ids : outcome;
  }

  /**
   * Does one piece: 'finished' when it is done or given up for good (reported); 'kept' when its
   * row stays queued because it failed for a while (it says when to try again); 'more' when it
   * is an ask with recipients still to ask (due at once). An ask's tries count for the recipient it stopped at.
   */
  private async doPiece(client: WebClient, tx: Transaction, row: Row, work: SlackWork): Promise<'finished' | 'kept' | 'more'> {
    const askedBefore = askedOf(work);
    let attempts = row.attempts + 1;
    let setbacks: readonly Setback[] = [];
    let failedWith: { error: unknown } | undefined;
    try {
      setbacks = await this.doer.do(client, tx, row.request_id, work);
    } catch (error) {
      // Parts given up for good before it stopped are reported now: a retry starts after them.
      if (error instanceof StoppedPartWay) setbacks = error.setbacks;
      failedWith = { error: error instanceof StoppedPartWay ? error.reason : error };
    }
    for (const { error, work: part } of setbacks) {
      // A recipient after the one the row's tries were for is on its first try.
      const tries = part?.kind === 'ask' && work.kind === 'ask' && part.to[0] !== work.to[askedBefore] ? 1 : attempts;
      await this.giveUp(tx, row, part ?? work, error, tries);
    }
    if (failedWith) {
      const { error } = failedWith;
      const failed = error instanceof SlackCallFailed ? error : undefined;
      const failure = failed?.failure ?? slackFailureOf(error);
      if (askedOf(work) > askedBefore) attempts = 1;
      if (failure.retryable && attempts < MAX_ATTEMPTS) {
        await this.keep(tx, row, work, { attempts, delayMs: retryDelayMs(attempts), lastError: failure.code });
        this.logger.warn({ requestId: row.request_id, work: row.kind, attempts, error: failure.code, err: failed ? undefined : error }, 'Slack work failed; it will be tried again');
        return 'kept';
      }
      const stoppedAt = work.kind === 'ask' ? work.to[askedOf(work)] : undefined;
      await this.giveUp(tx, row, work.kind === 'ask' && stoppedAt ? onlyTo(work, stoppedAt) : work, failed ?? new SlackCallFailed({ ...failure, retryable: false }, 'unknown', 'unknown', row.kind), attempts);
      if (work.kind === 'ask') work.asked = askedOf(work) + 1;
    }
    if (work.kind === 'ask' && askedOf(work) < work.to.length) {
      await this.keep(tx, row, work, { attempts: 0, delayMs: 0, lastError: null });
      return 'more';
    }
    return 'finished';
  }

  /** The row stays queued with the work's progress (an ask's count, a thread's answered copies). */
  private async keep(tx: Transaction, row: Row, work: SlackWork, { attempts, delayMs, lastError }: { attempts: number; delayMs: number; lastError: string | null }): Promise<void> {
    const { kind: _kind, ...payload } = work;
    await tx.manager.query(
      `UPDATE slack_bot.outgoing SET attempts = $2, due_at = now() + $3 * interval '1 millisecond', last_error = $4, payload = $5::jsonb WHERE id = $1`,
      [row.id, attempts, delayMs, lastError, JSON.stringify(payload)],
    );
  }

  /**
   * The refreshes of the same request queued right behind this row, up to its next in-order work
   * of another kind (error reports and Home refreshes keep no order); due or not, the one
   * publish covers them.
   */
  private refreshesBehind(tx: Transaction, row: Row): Promise<Row[]> {
    return tx.manager.query(
      `SELECT id, request_id, kind, payload, attempts FROM slack_bot.outgoing
        WHERE request_id = $1 AND kind = 'refresh' AND id > $2
          AND id < COALESCE((SELECT min(id) FROM slack_bot.outgoing WHERE request_id = $1 AND kind NOT IN ('refresh', 'report', 'home') AND id > $2), 9223372036854775807)
        ORDER BY id FOR UPDATE SKIP LOCKED`,
      [row.request_id, row.id],
    );
  }

  /**
   * The other refreshes of the same person's Home, whatever request queued them: the Home is
   * rendered from what approval says when this one runs, after they were all queued, so one
   * publish covers them (a busy approver's Home is not published once per move of every request).
   */
  private async sameHomes(tx: Transaction, row: Row): Promise<string[]> {
    const rows: { id: string }[] = await tx.manager.query(
      `SELECT id FROM slack_bot.outgoing WHERE kind = 'home' AND payload->>'to' = $1 AND id <> $2 FOR UPDATE SKIP LOCKED`,
      [row.payload['to'], row.id],
    );
    return rows.map((r) => r.id);
  }

  private async giveUp(tx: Transaction, row: Row, work: SlackWork, failed: SlackCallFailed, attempts: number): Promise<void> {
    this.logger.error({ requestId: row.request_id, work: row.kind, method: failed.method, destination: failed.destination, error: failed.failure.code, attempts }, `Slack could not deliver the ${failed.purpose}; reported`);
    await reportDeliveryFailure(tx, this.flows, row.request_id, work, failed, attempts);
    // It queued work of its own (the report, the requester's note): a lane looks again for it.
    this.queued += 1;
  }
}

/**
 * The claimed rows less a second Home refresh for one person: the first takes the others along
 * (sameHomes), so the person's Home is published once.
 */
function onePerHome(rows: readonly Row[]): Row[] {
  const homes = new Set<unknown>();
  return rows.filter((row) => {
    if (row.kind !== 'home') return true;
    if (homes.has(row.payload['to'])) return false;
    homes.add(row.payload['to']);
    return true;
  });
}

function workOf(row: Row): SlackWork {
  const work = { kind: row.kind, ...row.payload } as SlackWork;
  // An ask queued before one row held all of a request's recipients names one, not a list.
  const to: unknown = work.kind === 'ask' ? work.to : undefined;
  if (work.kind === 'ask' && !Array.isArray(to)) work.to = [to as AskRecipient];
  return work;
}

/** How many of an ask's recipients are done (0 for other work). */
function askedOf(work: SlackWork): number {
  return work.kind === 'ask' ? (work.asked ?? 0) : 0;
}
