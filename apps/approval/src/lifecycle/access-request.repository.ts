import { Injectable } from '@nestjs/common';
import { binder, type Bind, type RowsInsert, type Transaction, type Writes } from '@gatehouse/messaging';
import type { EntityManager } from 'typeorm';
import type { DecisionRow, RequestRow } from '../requests/request-rows';
import { AccessRequest, type TimerKind } from './access-request';

const JSON_COLUMNS: ReadonlySet<keyof RequestRow> = new Set(['requester', 'requested_by', 'ended_by']);
const INSERTED: (keyof RequestRow)[] = [
  'id', 'requester_email', 'requester', 'requested_by', 'flow', 'target', 'target_label', 'okta_group_id', 'duration_seconds', 'reason',
  'channel', 'status', 'approvals_required', 'grant_id', 'based_on', 'based_on_kind', 'created_at', 'updated_at', 'version',
];

const value = (key: keyof RequestRow, v: unknown): unknown => (JSON_COLUMNS.has(key) && v !== null ? JSON.stringify(v) : v);
const cast = (key: keyof RequestRow): string => (JSON_COLUMNS.has(key) ? '::jsonb' : '');

/**
 * Loads and saves access requests. The only writer of `approval.access_requests`: a save
 * writes the aggregate's changed columns, its new decisions, its timers and its events in
 * the transaction's final statement (with the outbox rows), so a decision still costs four
 * statements: begin, the locked read, one write, commit.
 */
@Injectable()
export class AccessRequestRepository {
  /** The request with its decisions, row-locked for the rest of the transaction: one round trip. */
  async lock(tx: Transaction, id: string): Promise<AccessRequest | null> {
    return this.read(tx.manager, id, 'FOR UPDATE OF r');
  }

  /**
   * Several requests, each row-locked for the rest of the transaction: one round trip. Locked in
   * id order, so two transactions that lock their requests this way, before any other row,
   * cannot deadlock on them (groups of decisions, the timer poller).
   */
  async lockAll(tx: Transaction, ids: readonly string[]): Promise<Map<string, AccessRequest>> {
    if (ids.length === 0) return new Map();
    const rows: (RequestRow & { decisions: DecisionRow[] })[] = await tx.manager.query(
      `${SELECT_WITH_DECISIONS} WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR UPDATE OF r`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, rehydrate(row)]));
  }

  /** The request as it is now, without a lock (for checks made before a change of another request). */
  async find(manager: EntityManager, id: string): Promise<AccessRequest | null> {
    return this.read(manager, id, '');
  }

  /** Stores a new request; false (and nothing written or published) if that id exists already. */
  async insert(tx: Transaction, request: AccessRequest): Promise<boolean> {
    const { bind, values } = binder();
    const inserted: unknown[] = await tx.manager.query(insertStatement(request, bind), values);
    if (inserted.length === 0) return false;
    await this.queueTheRest(tx, request);
    return true;
  }

  /**
   * Queues a new request — its row, timers, decisions and events — for the final statement
   * (work done in one statement). If its id exists already, that statement writes nothing and
   * throws NothingWritten with REQUEST_ID_TAKEN.
   */
  async queueInsert(writes: Writes, request: AccessRequest): Promise<void> {
    if (!request.isNew) throw new Error(`request ${request.id} is not new; save it instead`);
    writes.insertRows(NEW_REQUESTS, [request.snapshot()]);
    await this.queueTheRest(writes, request);
  }

  private async queueTheRest(writes: Writes, request: AccessRequest): Promise<void> {
    this.queueTimersAndDecisions(writes, request);
    for (const event of request.events) await writes.publish(event);
  }

  /** Writes what changed, at commit, with the events. The caller loaded it with `lock`. */
  async save(tx: Transaction, request: AccessRequest): Promise<void> {
    if (request.isNew) throw new Error(`request ${request.id} is new; insert it instead`);
    const changes = request.changes();
    const keys = (Object.keys(changes) as (keyof RequestRow)[]).filter((key) => key !== 'updated_at' && key !== 'version');
    if (keys.length > 0 || changes.updated_at !== undefined) {
      tx.atCommit((bind) => {
        const sets = keys.map((key) => `${key} = ${bind(value(key, changes[key]))}${cast(key)}`);
        return `UPDATE approval.access_requests SET ${[...sets, `version = version + 1`, `updated_at = ${bind(new Date())}`].join(', ')}
                 WHERE id = ${bind(request.id)} AND version = ${bind(request.version)}`;
      });
    }
    this.queueTimersAndDecisions(tx, request);
    for (const event of request.events) await tx.publish(event);
  }

  private queueTimersAndDecisions(writes: Writes, request: AccessRequest): void {
    if (request.newDecisions.length > 0) {
      writes.atCommit(
        (bind) =>
          `INSERT INTO approval.decisions (request_id, approver_email, kind, reason, decided_at, actor) VALUES ${request.newDecisions
            .map((d) => `(${bind(request.id)}, ${bind(d.approver_email)}, ${bind(d.kind)}, ${bind(d.reason)}, ${bind(d.decided_at)}, ${bind(JSON.stringify(d.actor))}::jsonb)`)
            .join(', ')}`,
      );
    }
    // The parts of one statement see one snapshot: never close and arm the same kind in one save.
    const arms = request.timerChanges.flatMap((change) => (change.op === 'arm' ? [{ request_id: request.id, kind: change.kind, due_at: change.dueAt }] : []));
    writes.insertRows(TIMER_ARMS, arms);
    for (const change of request.timerChanges) if (change.op === 'close') writes.atCommit((bind) => timerClose(bind, request.id, change.kind));
  }

  private async read(manager: EntityManager, id: string, lock: string): Promise<AccessRequest | null> {
    const [row]: (RequestRow & { decisions: DecisionRow[] })[] = await manager.query(`${SELECT_WITH_DECISIONS} WHERE r.id = $1 ${lock}`, [id]);
    return row ? rehydrate(row) : null;
  }
}

/** Why queueInsert's statement wrote nothing: a request with that id exists. */
export const REQUEST_ID_TAKEN = 'request id taken';

/** New requests' rows (queueInsert): a group of created requests is one INSERT. */
const NEW_REQUESTS: RowsInsert<RequestRow> = {
  table: 'approval.access_requests',
  sql: (given) =>
    `INSERT INTO approval.access_requests (${INSERTED.join(', ')}) SELECT ${INSERTED.map((key) => `given.${key}`).join(', ')} FROM ${given}
      ON CONFLICT (id) DO NOTHING RETURNING id`,
  mustInsertAll: REQUEST_ID_TAKEN,
};

/** Timers armed; one that is armed already stays as it is. */
const TIMER_ARMS: RowsInsert<{ request_id: string; kind: TimerKind; due_at: Date }> = {
  table: 'approval.timers',
  sql: (given) => `INSERT INTO approval.timers (request_id, kind, due_at) SELECT given.request_id, given.kind, given.due_at FROM ${given} ON CONFLICT DO NOTHING`,
};

function insertStatement(request: AccessRequest, bind: Bind): string {
  if (!request.isNew) throw new Error(`request ${request.id} is not new; save it instead`);
  const row = request.snapshot();
  const placeholders = INSERTED.map((key) => `${bind(value(key, row[key]))}${cast(key)}`);
  return `INSERT INTO approval.access_requests (${INSERTED.join(', ')}) VALUES (${placeholders.join(', ')}) ON CONFLICT (id) DO NOTHING RETURNING id`;
}

const SELECT_WITH_DECISIONS = `SELECT r.*, COALESCE((SELECT json_agg(d ORDER BY d.id) FROM approval.decisions d WHERE d.request_id = r.id), '[]'::json) AS decisions
  FROM approval.access_requests r`;

function rehydrate({ decisions, ...request }: RequestRow & { decisions: DecisionRow[] }): AccessRequest {
  return AccessRequest.rehydrate(request, decisions);
}

function timerClose(bind: Bind, requestId: string, timerKind: TimerKind | undefined): string {
  const kind = timerKind ? ` AND kind = ${bind(timerKind)}` : '';
  return `UPDATE approval.timers SET fired_at = now() WHERE request_id = ${bind(requestId)} AND fired_at IS NULL${kind}`;
}
