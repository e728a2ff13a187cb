import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditDestination } from '@gatehouse/config';
import type { AuditRecord } from '@gatehouse/contracts';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { AUDIT_DESTINATIONS } from './audit-destinations.token';
import { formatRecord, takes } from './record-format';
import { sinkFor, type Sink } from './sinks';

const BATCH = 500;
const IDLE_MS = 250;
const LONGEST_BACKOFF_MS = 60_000;

/**
 * Ships the audit chain to every configured destination, each on its own cursor in PostgreSQL:
 * a batch is read after the cursor, filtered and formatted, handed to the destination, and only
 * then is the cursor moved (at-least-once, in chain order, so in order per request). A
 * destination that fails is retried with backoff and jitter on its own; the others flow on.
 * Replicas share the work: a destination's cursor row is locked while its batch is shipped.
 */
@Injectable()
export class AuditShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUDIT_DESTINATIONS) private readonly destinations: readonly AuditDestination[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const d of this.destinations) await this.dataSource.query(`INSERT INTO audit.destination_cursors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [d.name]);
    this.loops = this.destinations.map((d) => this.loop(d, sinkFor(d)));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await Promise.allSettled(this.loops);
  }

  private async loop(destination: AuditDestination, sink: Sink): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let shipped = 0;
      try {
        shipped = await this.shipOnce(destination, sink);
        failures = 0;
      } catch (error) {
        failures += 1;
        const message = error instanceof Error ? error.message : String(error);
        await this.dataSource.query(`UPDATE audit.destination_cursors SET failed = failed + 1, last_error = $2, updated_at = now() WHERE name = $1`, [destination.name, message]).catch(() => undefined);
        const wait = Math.min(LONGEST_BACKOFF_MS, 500 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2);
        this.logger.warn({ destination: destination.name, err: error, retryInMs: Math.round(wait) }, 'audit destination did not take a batch; it will be sent again');
        await this.sleep(wait);
        continue;
      }
      if (shipped === 0) await this.sleep(IDLE_MS);
    }
  }

  /** One batch: how many records were read past the cursor (0: nothing new, or another replica has it). */
  async shipOnce(destination: AuditDestination, sink: Sink): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [cursor] = (await manager.query(`SELECT delivered_seq::text AS seq_text FROM audit.destination_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED`, [destination.name])) as { seq_text: string }[];
      if (!cursor) return 0;
      const rows = (await manager.query(`SELECT seq::text AS seq_text, record FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT ${BATCH}`, [cursor.seq_text])) as { seq_text: string; record: AuditRecord }[];
      if (rows.length === 0) return 0;
      const taken = rows.filter((r) => takes(destination, r.record));
      await sink.send(taken.map((r) => JSON.stringify(formatRecord(r.record, destination.format))));
      await manager.query(`UPDATE audit.destination_cursors SET delivered_seq = $2, delivered = delivered + $3, last_error = NULL, updated_at = now() WHERE name = $1`, [
        destination.name,
        rows[rows.length - 1]?.seq_text,
        taken.length,
      ]);
      return rows.length;
    });
  }

  /** A wait that shutting down cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
