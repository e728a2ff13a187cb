import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FlowsFile } from '@gatehouse/config';
import type { WebClient } from '@slack/web-api';
import { UnitOfWork, type Transaction } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { PREPARED } from '@gatehouse/persistence';
import { SlackApp } from '../bolt/slack-app';
import { FLOWS } from '../flows/flows';
import { SlackCallFailed } from '../slack-api/slack-call-failed';
import { slackFailureOf } from '../slack-api/slack-failure';
import { reportDeliveryFailure } from './delivery-failure';
import { onlyTo, SlackWorkDoer, StoppedPartWay, type Setback } from './do-slack-work';
import type { AskRecipient, SlackWork, SlackWorkKind } from './slack-work';

/** Several requests' work goes on at once (one slow channel does not hold up the others). */
const LANES = 4;
/** How often an idle lane looks for work it was not nudged about (another replica's, retries). */
const IDLE_POLL_MS = 1000;
/** Waits between tries: 1 s doubling to 5 min; after this many tries (about 2 hours) it is given up. */
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 300_000;
export const MAX_ATTEMPTS = 30;

/**
 * A row `o` a claim may take: due, and not behind an earlier row of its request (error reports and
 * App Home refreshes keep no order). `gone` leaves out rows the statement itself removes.
 */
function claimable(gone: (row: string) => string = () => 'true'): string {
  return `o.due_at <= now() AND ${gone('o')}
    AND (o.kind IN ('report', 'home') OR NOT EXISTS (SELECT 1 FROM slack_bot.outgoing e WHERE e.request_id = o.request_id AND e.id < o.id AND ${gone('e')} AND e.kind NOT IN ('report', 'home')))`;
}

const CLAIM = `${PREPARED}SELECT id, request_id, kind, payload, attempts FROM slack_bot.outgoing o
  WHERE ${claimable()} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`;

/**
 * Removes finished rows and says whether anything else is claimable. One row (the usual case) has a
 * text of its own, prepared; several are a list of keys, planned each run (persistence's PREPARED
 * says why).
 */
function finish(removed: string, gone: (row: string) => string): string {
  return `WITH done AS (DELETE FROM slack_bot.outgoing WHERE ${removed})
  SELECT EXISTS (SELECT 1 FROM slack_bot.outgoing o WHERE ${claimable(gone)}) AS more`;
}
const FINISH_ONE = PREPARED + finish('id = $1::bigint', (row) => `${row}.id <> $1::bigint`);
const FINISH_SEVERAL = finish('id = ANY($1::bigint[])', (row) => `NOT (${row}.id = ANY($1::bigint[]))`);

/** What a lane's look for work came to. */
type Found = 'nothing' | 'done' | 'more';

interface Row {
  id: string;
  request_id: string;
  kind: SlackWorkKind;
  payload: Record<string, unknown>;
  attempts: number;
}

export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Does the queued Slack work. A row is claimed with FOR UPDATE SKIP LOCKED, and only when no
 * earlier row of the same request is left, so each request's work is done in order while
 * replicas and lanes share the rest (error-channel reports and App Home refreshes neither wait
 * nor hold anything up; refreshes of one person's Home are done once for all). A refresh also takes the refreshes queued right behind
 * it (it renders the request as it is now, which covers them). Work that fails for a while
 * is tried again later; work that cannot succeed is reported (see reportDeliveryFailure).
 */
@Injectable()
export class SlackWorkRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private readonly waiting = new Set<() => void>();
  /** New work was queued while every lane was busy: the next lane to finish looks again. */
  private missed = false;
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
    for (const wake of [...this.waiting]) wake();
    await Promise.all(this.lanes);
  }

  /**
   * New work was queued: one idle lane looks at once (a busy lane looks again when it is done).
   * Waking every idle lane made an empty claim — a transaction — for each lane but one.
   */
  nudge(): void {
    if (!this.wakeOne()) this.missed = true;
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      const found = await this.next().catch((error: unknown): Found => {
        this.logger.error({ err: error }, 'Slack work failed unexpectedly; trying again shortly');
        return 'nothing';
      });
      // This lane goes on while more is due (or was queued while it worked); otherwise it waits
      // to be nudged, or for its next look. Looking again after every piece cost a transaction
      // that found nothing, for each piece of work.
      if (found !== 'more' && !this.takeMissed()) await this.idle();
    }
  }

  private takeMissed(): boolean {
    const missed = this.missed;
    this.missed = false;
    return missed;
  }

  private wakeOne(): boolean {
    const [first] = this.waiting;
    first?.();
    return first !== undefined;
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
   * Claims and does the next piece of work (with, for a refresh, the refreshes of the same
   * request queued right behind it): 'nothing' when none was due, 'done' when it is finished and
   * nothing else was due as it was removed, 'more' otherwise.
   */
  private next(): Promise<Found> {
    const client = this.slack.client;
    if (!client) return Promise.resolve('nothing');
    return this.uow.run(async (tx) => {
      const [row]: Row[] = await tx.manager.query(CLAIM);
      if (!row) return 'nothing';
      const ids = [row.id, ...(row.kind === 'refresh' ? (await this.refreshesBehind(tx, row)).map((r) => r.id) : row.kind === 'home' ? await this.sameHomes(tx, row) : [])];
      const piece = await this.doPiece(client, tx, row, workOf(row));
      if (piece === 'kept') return 'more';
      // Removed, and asked in the same round trip whether anything else is due (work queued
      // meanwhile nudges). A failure's report is queued at commit, after it: look again for that.
      const [{ more }]: { more: boolean }[] = ids.length === 1 ? await tx.manager.query(FINISH_ONE, ids) : await tx.manager.query(FINISH_SEVERAL, [ids]);
      return more || piece === 'reported' ? 'more' : 'done';
    });
  }

  /**
   * Does one piece: 'finished' when it is done, 'reported' when it or a part of it was given up
   * for good (reported: the report is queued in this transaction); 'kept' when its
   * row stays queued — it failed for a while and says when to try again, or it is an ask with
   * recipients still to ask (due at once). An ask's tries count for the recipient it stopped at.
   */
  private async doPiece(client: WebClient, tx: Transaction, row: Row, work: SlackWork): Promise<'finished' | 'reported' | 'kept'> {
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
    let reported = setbacks.length > 0;
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
      reported = true;
      if (work.kind === 'ask') work.asked = askedOf(work) + 1;
    }
    if (work.kind === 'ask' && askedOf(work) < work.to.length) {
      await this.keep(tx, row, work, { attempts: 0, delayMs: 0, lastError: null });
      return 'kept';
    }
    return reported ? 'reported' : 'finished';
  }

  /** The row stays queued with the work's progress (an ask's count, a thread's answered copies). */
  private async keep(tx: Transaction, row: Row, work: SlackWork, { attempts, delayMs, lastError }: { attempts: number; delayMs: number; lastError: string | null }): Promise<void> {
    const { kind: _kind, ...payload } = work;
    await tx.manager.query(
      `${PREPARED}UPDATE slack_bot.outgoing SET attempts = $2, due_at = now() + $3 * interval '1 millisecond', last_error = $4, payload = $5::jsonb WHERE id = $1`,
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
  }
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
