import type { EntityManager } from 'typeorm';
import { SLAB, type CopySlabs } from './copy-slabs';

/** One row of a binary COPY: each field's bytes (a view into the result's buffer), null for NULL. */
export type CopiedRow = (Buffer | null)[];

/** The part of pg's connection a query object talks to. */
interface PgConnection {
  query(text: string): void;
}

/** pg's client, as far as running a query object goes (pg's "submittable"). */
interface PgClient {
  query(submittable: CopyOut): unknown;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Rows of `COPY (query) TO STDOUT (FORMAT binary)`, read in `manager`'s transaction (or on a
 * pooled connection when it has none). For results of large text values read in bulk: pg's own
 * result decodes every value into a JavaScript string, which for pages of megabytes is what the
 * process spends its time on — the garbage collector copying strings that are still in use
 * (measured on audit pages: 80 % of the reader's CPU). Here the whole result is one buffer
 * outside the JavaScript heap, and each field is a view into it; the caller decodes only what
 * it needs. `sql` is sent as it is (COPY takes no parameters): build it from checked values.
 * With `slabs`, rows are copied into slabs given back there (see CopySlabs).
 */
export async function copyOutBinary(manager: EntityManager, sql: string, slabs?: CopySlabs): Promise<CopiedRow[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  const owned = manager.queryRunner === undefined;
  try {
    // TypeORM refuses a released runner's queries; its client may be someone else's by now.
    if (runner.isReleased) throw new Error('copyOutBinary: the transaction is over (its query runner was released)');
    const client = (await runner.connect()) as PgClient;
    const copy = new CopyOut(`COPY (${sql}) TO STDOUT (FORMAT binary)`, slabs);
    void client.query(copy);
    return await copy.done;
  } finally {
    if (owned) await runner.release();
  }
}

/**
 * A query object for pg's client: sends the COPY and parses its rows as they arrive. pg hands
 * each CopyData message over as a view into its own read buffer, which it reuses, so each is
 * copied first, into 64 KiB slabs (PostgreSQL sends a row a message; rows of a few kilobytes
 * share a slab; a reader that reads page after page gives its slabs back: CopySlabs). Measured
 * against the alternatives: one buffer grown to the page's size was fresh memory each page,
 * faulting it in cost more than the copy; a buffer a row (Node's pool) spent its time creating
 * 8 KiB pools.
 */
class CopyOut {
  private readonly parser = new BinaryCopyParser();
  private slab: Buffer = Buffer.alloc(0);
  private used = 0;
  private settle!: { resolve: (rows: CopiedRow[]) => void; reject: (error: Error) => void };
  private settled = false;
  /** The data could not be read: reported once the exchange is over, so the connection is free again by then. */
  private unreadable: Error | undefined;
  readonly done = new Promise<CopiedRow[]>((resolve, reject) => (this.settle = { resolve, reject }));
  /** Set by pg when the client has a query_timeout: called once settled, it clears that timer. */
  callback?: (error: Error | null) => void;

  constructor(
    private readonly text: string,
    private readonly slabs?: CopySlabs,
  ) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyData({ chunk }: { chunk: Buffer }): void {
    if (this.settled || this.unreadable) return;
    try {
      this.parser.push(this.own(chunk));
    } catch (error) {
      this.unreadable = error as Error;
    }
  }

  private own(chunk: Buffer): Buffer {
    if (chunk.length > SLAB / 4) return Buffer.from(chunk);
    if (this.used + chunk.length > this.slab.length) {
      this.slab = this.slabs ? this.slabs.take() : Buffer.allocUnsafeSlow(SLAB);
      this.used = 0;
    }
    const owned = this.slab.subarray(this.used, this.used + chunk.length);
    chunk.copy(owned);
    this.used += chunk.length;
    return owned;
  }

  /** PostgreSQL refused it, or the connection broke (then nothing more comes): settled at once, as pg's own queries are. */
  handleError(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.reject(error);
    this.callback?.(error);
  }

  /** The end of the exchange (a no-op after an error: a promise settles once). */
  handleReadyForQuery(): void {
    if (this.settled) return;
    try {
      if (this.unreadable) throw this.unreadable;
      this.settle.resolve(this.parser.end());
      this.settled = true;
      this.callback?.(null);
    } catch (error) {
      this.handleError(error as Error);
    }
  }

  // Messages a COPY's exchange may carry that need nothing done.
  handleCopyOutResponse(): void {}
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/**
 * PostgreSQL's binary COPY format, fed in pieces: a header (signature, flags, extension), then
 * per row a field count and each field's length and bytes, then -1. Fields are views into the
 * pieces; a row split across pieces (PostgreSQL does not split them, but the format allows it)
 * is joined first.
 */
export class BinaryCopyParser {
  private readonly rows: CopiedRow[] = [];
  private carry: Buffer | undefined;
  private header = false;
  private ended = false;

  push(piece: Buffer): void {
    let bytes = this.carry ? Buffer.concat([this.carry, piece]) : piece;
    this.carry = undefined;
    let at = 0;
    if (!this.header) {
      const skip = headerLength(bytes);
      if (skip === undefined) {
        this.carry = bytes;
        return;
      }
      this.header = true;
      at = skip;
    }
    while (at < bytes.length) {
      if (this.ended) throw new Error('binary COPY data goes on past its end marker');
      const next = this.row(bytes, at);
      if (next === undefined) break;
      at = next;
    }
    if (at < bytes.length) {
      bytes = bytes.subarray(at);
      this.carry = bytes;
    }
  }

  /** The rows; throws if the data stopped short of its end marker. */
  end(): CopiedRow[] {
    if (!this.header && !this.carry) return this.rows;
    if (!this.ended || this.carry) throw new Error('binary COPY data ended in the middle of a row');
    return this.rows;
  }

  /** Reads the row at `at`; where the next one starts, or undefined if it is not all here yet. */
  private row(bytes: Buffer, at: number): number | undefined {
    if (at + 2 > bytes.length) return undefined;
    const fields = bytes.readInt16BE(at);
    if (fields < -1) throw new Error(`binary COPY data has a row of ${fields} fields`);
    if (fields === -1) {
      this.ended = true;
      return at + 2;
    }
    let pos = at + 2;
    const row: CopiedRow = new Array<Buffer | null>(fields);
    for (let i = 0; i < fields; i++) {
      if (pos + 4 > bytes.length) return undefined;
      const length = bytes.readInt32BE(pos);
      pos += 4;
      if (length < -1) throw new Error(`binary COPY data has a field of length ${length}`);
      if (length === -1) {
        row[i] = null;
        continue;
      }
      if (pos + length > bytes.length) return undefined;
      row[i] = bytes.subarray(pos, pos + length);
      pos += length;
    }
    this.rows.push(row);
    return pos;
  }
}

/** The header's length, or undefined if it is not all here yet; throws if it is not one. */
function headerLength(bytes: Buffer): number | undefined {
  const fixed = SIGNATURE.length + 8;
  if (bytes.length >= SIGNATURE.length && !bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not the binary COPY format: its signature is missing');
  if (bytes.length < fixed) return undefined;
  const length = fixed + bytes.readInt32BE(SIGNATURE.length + 4);
  return bytes.length >= length ? length : undefined;
}
