import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditDestination } from '@gatehouse/config';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { CopySlabs } from '@gatehouse/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { AUDIT_CONFIG, type AuditConfig } from '../config';
import { AUDIT_DESTINATIONS } from './audit-destinations.token';
import { DestinationError } from './destination-error';
import { CHECKPOINT_TYPE } from '../checkpoints/checkpoint-event';
import { advanceCursor, checkpointsBetween, checkpointsFor } from './checkpoints-between';
import { RecentRecords } from '../records/record-event/recent-records';
import { ChainEntry } from './chain-entry';
import { interleave } from './interleave';
import { outgoing, shipsAsStored, takes } from './record-format';
import { storedLines } from './stored-lines';
import { PageAhead } from './page-ahead';
import type { StoredRow } from '../records/stored-row';
import { readStoredRows } from './stored-rows';
import type { Sink } from './sinks/sink';
import { sinkFor } from './sinks/sink-for';

/** Between looks at the chain when nothing is new: appends by this process wake the loops at once; this catches other replicas' appends. */
const IDLE_MS = 1000;
/** Records a page for a destination with no batch size (file, stdout, syslog): any number of lines go at once, so catching up takes fewer, bigger reads (4,000: ABAB against 2,000, the file drained 58.8–82.4 against 54.2–94.2 thousand records/s, and just after a restart 63–85 against 53–70). */
const UNBATCHED_PAGE = 4000;
/**
 * Pages read ahead for a destination catching up: reading from PostgreSQL is what bounds a drain
 * (timed: a 2,000-record page read in 10–20 ms, written to a file in 4–8), and with two reads under way
 * PostgreSQL reads on the second core while this process writes.
 */
const PAGES_AHEAD = 2;
/** Records a transaction, at most, while a destination catches up: as many whole batches (or pages) as fit, at least one. */
const RECORDS_A_TRANSACTION = 8000;
/**
 * No batch is added to a transaction after this long: a slow destination neither holds its
 * cursor unmoved for minutes (lag metrics, `audit destinations`) nor, after a crash, has many
 * batches to be sent again.
 */
const TRANSACTION_MS = 1000;

/** Records a batch: the destination's batch size, or a page for one that takes any number of lines. */
function batchOf(destination: AuditDestination): number {
  return 'batchSize' in destination ? destination.batchSize : UNBATCHED_PAGE;
}

/** A destination's place in the chain: the last record and the last checkpoint it has. */
interface Position {
  seq: string;
  checkpoint: string;
}

/** What one batch did. */
interface Shipped {
  /** Records and checkpoints read (0: nothing new). */
  read: number;
  /** Records read from the chain (fewer than asked: the batch reached its end). */
  records: number;
  /** Where the cursor goes now, and how many records that delivers; absent when the batch moved it itself. */
  to?: Position & { delivered: number };
}

/**
 * Ships the audit chain to every configured destination, each on its own cursor in PostgreSQL:
 * a batch is read after the cursor, filtered and formatted, handed to the destination, and only
 * then is the cursor moved (at-least-once, in chain order, so in order per request). Each
 * destination fails on its own while the others flow: retried with backoff and jitter (or as
 * Retry-After says), split on 413, a record refused for good quarantined with the reason, and
 * paused — loudly — while its credentials are refused. Replicas share the work: a destination's
 * cursor row is locked while its batches are shipped.
 */
@Injectable()
export class AuditShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private sinks: Sink[] = [];
  private readonly sleepers = new Set<() => void>();
  private readonly idle = new Set<() => void>();
  private unsubscribe?: () => void;
  private readonly pageAhead: PageAhead;
  /** What pages are read into, given back once a batch is shipped (see CopySlabs). */
  private readonly slabs = new CopySlabs();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_DESTINATIONS) private readonly destinations: readonly AuditDestination[],
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly recent: RecentRecords,
  ) {
    this.pageAhead = new PageAhead(dataSource.manager, (db, after, limit) => readStoredRows(db, after, limit, this.slabs), PAGES_AHEAD);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const d of this.destinations) await this.dataSource.query(`INSERT INTO audit.destination_cursors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [d.name]);
    this.unsubscribe = this.recent.onAppend(() => {
      for (const wake of this.idle) wake();
    });
    this.sinks = this.destinations.map((d) => sinkFor(d, this.config.kafka));
    this.loops = this.destinations.map((d, i) => this.loop(d, this.sinks[i] as Sink));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const wake of this.sleepers) wake();
    await Promise.allSettled(this.loops);
    await this.pageAhead.settle();
    await Promise.allSettled(this.sinks.map((sink) => sink.close?.()));
  }

  private async loop(destination: AuditDestination, sink: Sink): Promise<void> {
    const batch = batchOf(destination);
    let limit = batch;
    let failures = 0;
    let paused = false;
    while (!this.stopped) {
      try {
        const read = await this.shipOnce(destination, sink, limit);
        if (paused) {
          paused = false;
          await this.setState(destination, 'active', null);
          this.logger.info({ destination: destination.name }, 'audit destination takes records again');
        }
        failures = 0;
        limit = batch;
        if (read === 0) await this.sleep(IDLE_MS, true);
      } catch (error) {
        failures += 1;
        const failure = error instanceof DestinationError ? error : new DestinationError('retry', error instanceof Error ? error.message : String(error));
        await this.dataSource
          .query(`UPDATE audit.destination_cursors SET failed = failed + 1, last_error = $2, updated_at = now() WHERE name = $1`, [destination.name, failure.message])
          .catch(() => undefined);
        if (failure.kind === 'split' || failure.kind === 'reject') {
          // Smaller batches, down to the one record it refuses (quarantined in shipBatch).
          limit = Math.max(1, Math.floor(limit / 2));
          continue;
        }
        if (failure.kind === 'pause') {
          if (!paused) this.logger.error({ destination: destination.name, reason: failure.message }, 'audit destination paused: it refuses our credentials; fix them (nothing is lost meanwhile)');
          paused = true;
          await this.setState(destination, 'paused', failure.message);
          await this.sleep(this.config.destinationRetryMaxMs);
          continue;
        }
        const backoff = Math.min(this.config.destinationRetryMaxMs, 250 * 2 ** Math.min(failures, 12)) * (0.5 + Math.random() / 2);
        const wait = failure.retryAfterMs ?? backoff;
        this.logger.warn({ destination: destination.name, reason: failure.message, retryInMs: Math.round(wait) }, 'audit destination did not take a batch; it will be sent again');
        await this.sleep(wait);
      }
    }
  }

  /**
   * Up to `limit` records past the cursor a batch, with the signed checkpoints each batch reaches
   * (each after the record it ends on; one made of records already shipped goes on its own): how
   * many were read (0: nothing new, or another replica has it). A destination catching up gets
   * several batches (or pages) in one transaction, the cursor locked once and moved once (a
   * transaction a batch spent as long in round trips to PostgreSQL, and in its commit, as in
   * sending); if one of them fails, the cursor moves past those before it and the failure is
   * dealt with as any other.
   */
  async shipOnce(destination: AuditDestination, sink: Sink, limit: number): Promise<number> {
    let interrupted: { error: unknown } | undefined;
    const began = Date.now();
    const read = await this.dataSource.transaction(async (manager) => {
      const [cursor] = (await manager.query(
        `SELECT delivered_seq::text AS seq_text, delivered_checkpoint::text AS checkpoint_text FROM audit.destination_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED`,
        [destination.name],
      )) as { seq_text: string; checkpoint_text: string }[];
      if (!cursor) return 0;
      // Whole batches only: while a refusal is narrowed down (a smaller limit), one at a time.
      const batches = limit >= batchOf(destination) ? Math.max(1, Math.floor(RECORDS_A_TRANSACTION / limit)) : 1;
      // The signed checkpoints they can reach, read once: records are numbered without gaps, so
      // these batches end at most this far past the cursor (and checkpoints commit in size order:
      // insertCheckpoint).
      const known = await checkpointsBetween(manager, cursor.checkpoint_text, (BigInt(cursor.seq_text) + BigInt(limit * batches)).toString());
      let at: Position = { seq: cursor.seq_text, checkpoint: cursor.checkpoint_text };
      let total = 0;
      let delivered = 0;
      for (let i = 0; i < batches; i++) {
        // A failed read has aborted the transaction: thrown as it is, nothing committed.
        const rows = await this.rowsAfter(manager, destination.name, at, limit);
        let shipped: Shipped;
        try {
          shipped = await this.shipBatch(manager, destination, sink, { limit, at, rows, known, first: i === 0 });
        } catch (error) {
          if (i === 0) throw error;
          interrupted = { error };
          break;
        } finally {
          // Sinks are done with the lines once a send settles (each copies them into its own
          // request or write), and a batch sent again is read again.
          this.slabs.giveBack(rows.map((row) => row.line));
        }
        total += shipped.read;
        // The batch moved the cursor itself (a record set aside; only ever the first batch).
        if (!shipped.to) return total;
        at = shipped.to;
        delivered += shipped.to.delivered;
        if (shipped.records < limit || this.stopped || Date.now() - began >= TRANSACTION_MS) break;
      }
      if (total > 0) await advanceCursor(manager, destination.name, at.seq, at.checkpoint, delivered);
      return total;
    });
    if (interrupted) throw interrupted.error;
    return read;
  }

  /**
   * Up to `limit` records past `at`: those this process just appended are at hand; others are
   * read from the table (the next page read while this one is sent). Either way as the text they
   * are stored as, parsed only if the destination needs their fields.
   */
  private async rowsAfter(manager: EntityManager, name: string, at: Position, limit: number): Promise<StoredRow[]> {
    const live = this.recent.after(at.seq, limit);
    if (live) return live;
    const rows = await this.pageAhead.take(manager, name, at.seq, limit);
    if (!this.stopped) this.pageAhead.readNext(name, rows, limit);
    return rows;
  }

  /**
   * One batch of up to `limit` records past `at`, in the shipping transaction. The cursor is
   * left to the caller (`to`: where it goes), except when a record is set aside: that is done
   * here, and only for the first batch of a transaction (a later one throws, so the batches
   * before it are committed first).
   */
  private async shipBatch(
    manager: EntityManager,
    destination: AuditDestination,
    sink: Sink,
    { limit, at, rows, known, first }: { limit: number; at: Position; rows: readonly StoredRow[]; known: readonly ChainEntry[]; first: boolean },
  ): Promise<Shipped> {
    if (sink.sendLines && shipsAsStored(destination) && limit > 1) {
      const shipped = await this.shipStored(sink.sendLines.bind(sink), at, rows, known, first);
      if (shipped !== undefined) return shipped;
    }
    const records = rows.map((row) => ChainEntry.stored(row.sequence, row.type, row.line.toString()));
    const reached = records.length > 0 ? (records[records.length - 1] as ChainEntry).sequence : at.seq;
    const checkpoints = checkpointsFor(known, at.checkpoint, reached);
    if (records.length === 0 && checkpoints.length === 0) return { read: 0, records: 0, to: { ...at, delivered: 0 } };
    const entries = interleave(records, checkpoints).filter((entry) => takes(destination, entry));
    const batch = entries.map((entry) => outgoing(entry, destination.format));
    const lastCheckpoint = checkpoints.length > 0 ? (checkpoints[checkpoints.length - 1] as ChainEntry).sequence : at.checkpoint;
    const taken = entries.filter((entry) => entry.type !== CHECKPOINT_TYPE).length;
    try {
      await sink.send(batch);
    } catch (error) {
      const refusedForGood = error instanceof DestinationError && (error.kind === 'reject' || error.kind === 'split');
      if (!refusedForGood || records.length > 1 || !first) throw error;
      if (records.length === 0) {
        // Only checkpoints, refused for good: the next ones anchor the chain as well; say so, and go on.
        await manager.query(`UPDATE audit.destination_cursors SET delivered_checkpoint = $2, failed = failed + 1, last_error = $3, updated_at = now() WHERE name = $1`, [destination.name, lastCheckpoint, (error as Error).message]);
        this.logger.error({ destination: destination.name, checkpoint: lastCheckpoint, reason: (error as Error).message }, 'audit destination refused a signed checkpoint for good; skipped');
        return { read: checkpoints.length, records: 0 };
      }
      // One record the destination will never take: set it aside with the reason, and go on
      // (a checkpoint in the same batch goes with the next one).
      const last = records[0] as ChainEntry;
      await manager.query(`INSERT INTO audit.destination_quarantine (name, seq, record_id, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [destination.name, last.sequence, last.event.id, (error as Error).message]);
      await manager.query(`UPDATE audit.destination_cursors SET delivered_seq = $2, failed = failed + 1, last_error = $3, updated_at = now() WHERE name = $1`, [destination.name, last.sequence, (error as Error).message]);
      this.logger.warn({ destination: destination.name, seq: last.sequence, reason: (error as Error).message }, 'audit destination refused a record for good; quarantined');
      return { read: 1, records: 1 };
    }
    return { read: records.length + checkpoints.length, records: records.length, to: { seq: reached, checkpoint: lastCheckpoint, delivered: taken } };
  }

  /**
   * A page shipped as its records' stored text (see storedLines). A refusal of several records
   * (or in a later batch of the transaction) is thrown: the loop halves the page. One record (or
   * only checkpoints) refused for good: undefined, and the record-by-record path sets it aside
   * at once.
   */
  private async shipStored(sendLines: NonNullable<Sink['sendLines']>, at: Position, rows: readonly StoredRow[], known: readonly ChainEntry[], first: boolean): Promise<Shipped | undefined> {
    const page = storedLines(at, rows, known);
    if (!page) return { read: 0, records: 0, to: { ...at, delivered: 0 } };
    try {
      await sendLines(page.lines);
    } catch (error) {
      if (first && error instanceof DestinationError && (error.kind === 'reject' || error.kind === 'split') && page.records <= 1) return undefined;
      throw error;
    }
    return { read: page.lines.length, records: page.records, to: { seq: page.reached, checkpoint: page.lastCheckpoint, delivered: page.records } };
  }

  private async setState(destination: AuditDestination, state: 'active' | 'paused', reason: string | null): Promise<void> {
    await this.dataSource.query(`UPDATE audit.destination_cursors SET state = $2, last_error = COALESCE($3, last_error), updated_at = now() WHERE name = $1`, [destination.name, state, reason]).catch(() => undefined);
  }

  /** A wait that shutting down cuts short (and, when idle, a new record). */
  private sleep(ms: number, idle = false): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        this.idle.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      if (idle) this.idle.add(wake);
    });
  }
}
