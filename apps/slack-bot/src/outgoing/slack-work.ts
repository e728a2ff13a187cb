import type { Person } from '@gatehouse/contracts';
import type { RowsInsert, Writes } from '@gatehouse/messaging';
import type { ApprovalCard } from '../approvals/approval-message';

export interface SlackMessage {
  text: string;
  blocks?: Record<string, unknown>[];
}

/**
 * One piece of Slack work about a request. Each is done by a Web API call or a few, later and
 * as often as it takes: what it posts is fixed when it is queued, except `refresh`, which
 * renders the request as it is when it runs (so the last state always wins).
 */
export type SlackWork =
  /**
   * The approval message, to the flow's channel and as a DM to each approver (found by email),
   * in that order; `asked` counts those done (one row for all: a twenty-approver flow wrote and
   * deleted twenty-one queue rows a request).
   */
  | { kind: 'ask'; flow: string; card: ApprovalCard; to: AskRecipient[]; asked?: number }
  /** Every copy of the approval message brought up to date. */
  | { kind: 'refresh' }
  /** A reply in the thread of every copy ("@ada approved — 1 of 2"); `done` holds copies already answered. */
  | { kind: 'thread'; flow: string; text: string; by?: Person; done?: string[] }
  /** A DM to a person (found by Slack id or email). */
  | { kind: 'dm'; flow: string; to: Person; message: SlackMessage; purpose: string }
  /** A report in the flow's error channel, for the people who keep Gatehouse running. */
  | { kind: 'report'; channel: string; text: string }
  /** A person's App Home published again (found in Slack by email), as what it shows changed. */
  | { kind: 'home'; to: string };

export type SlackWorkKind = SlackWork['kind'];

/** Where an approval message goes: the flow's channel, or an approver's DM. */
export type AskRecipient = { channel: string } | { approver: string };

/**
 * Queues work in the transaction (or statement) at hand: it exists exactly when that commits.
 * One INSERT, so the rows keep the order given (one request's work is done in that order); a
 * group of statements (work done in one statement) inserts every piece's rows in one, in the
 * order of its pieces. An App Home refresh is queued only for someone who has opened their Home
 * (anyone else's is published when they first open it): a request to a flow with twenty
 * approvers queued twenty-one refreshes per move, each a transaction that found nobody to
 * publish to.
 */
export function queueSlackWork(writes: Writes, requestId: string, works: readonly SlackWork[]): void {
  writes.insertRows(
    SLACK_WORK,
    works.map(({ kind, ...payload }) => ({ request_id: requestId, kind, payload })),
  );
}

/** Ordered by position, so the ids follow the order given. */
export const SLACK_WORK: RowsInsert<{ request_id: string; kind: SlackWorkKind; payload: Record<string, unknown> }> = {
  table: 'slack_bot.outgoing',
  sql: (given) => `INSERT INTO slack_bot.outgoing (request_id, kind, payload)
    SELECT given.request_id, given.kind, given.payload FROM ${given}
     WHERE given.kind <> 'home' OR EXISTS (SELECT 1 FROM slack_bot.home_viewers v WHERE v.email = lower(given.payload->>'to'))
     ORDER BY given.ordinality`,
};
