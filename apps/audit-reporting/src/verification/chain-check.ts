import type { AuditRecord } from '@gatehouse/contracts';
import { MerkleFrontier } from '../checkpoints/merkle-frontier';
import { GENESIS_HASH, hashRecord } from '../records/record-event/audit-record';

/** A stored record as read back: its row's columns and the record itself. */
export interface StoredRecord {
  seq: string;
  hash: string;
  previousHash: string;
  record: AuditRecord;
}

export type ChainProblemKind = 'hash_mismatch' | 'gap' | 'reorder' | 'truncated' | 'bad_signature';

/** A checkpoint whose signature was checked: what the chain must match at that size. */
export interface TrustedCheckpoint {
  size: string;
  root: string;
  headHash: string;
  createdAt: string;
}

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first record found wrong (for `gap`, the one after the missing ones). */
  seq: string;
  id?: string;
  detail: string;
}

/**
 * Walks the chain in sequence order and stops at the first thing wrong, whatever the record:
 * every hash recomputed, every link followed (not just the ends), every sequence number
 * accounted for. Fed page by page, so any length is checked in bounded memory.
 */
export class ChainCheck {
  private expectedSeq = 1n;
  private expectedPrevious = GENESIS_HASH;
  private problem?: ChainProblem;
  private readonly frontier = MerkleFrontier.empty();
  private readonly checkpoints: TrustedCheckpoint[];
  count = 0;

  /** `checkpoints`: signed ones, already checked; the chain must match each and reach the last. */
  constructor(checkpoints: readonly TrustedCheckpoint[] = []) {
    this.checkpoints = [...checkpoints].sort((a, b) => (BigInt(a.size) < BigInt(b.size) ? -1 : 1));
  }

  /** Feeds the next records (in seq order); false once a problem is found. */
  add(records: readonly StoredRecord[]): boolean {
    for (const stored of records) {
      if (this.problem) return false;
      this.problem = this.check(stored);
      if (!this.problem) this.count += 1;
    }
    return !this.problem;
  }

  /** After the last page: the chain's end must be the head the service recorded. */
  finish(head: { seq: string; hash: string }): ChainProblem | undefined {
    if (this.problem) return this.problem;
    const last = this.expectedSeq - 1n;
    const signed = this.checkpoints.at(-1);
    if (signed && BigInt(signed.size) > last) {
      return { kind: 'truncated', seq: (last + 1n).toString(), detail: `the chain ends at record ${last}, but a checkpoint signed at ${signed.createdAt} covers ${signed.size}: the last ${BigInt(signed.size) - last} are gone` };
    }
    if (BigInt(head.seq) > last) {
      return { kind: 'truncated', seq: (last + 1n).toString(), detail: `the chain ends at record ${last}, but its head says ${head.seq} records were appended: the last ${BigInt(head.seq) - last} are gone` };
    }
    if (BigInt(head.seq) === last && head.hash !== this.expectedPrevious) {
      return { kind: 'hash_mismatch', seq: last.toString(), detail: 'the last record is not the one the chain head names' };
    }
    return undefined;
  }

  private check(stored: StoredRecord): ChainProblem | undefined {
    const seq = BigInt(stored.seq);
    const at = { seq: stored.seq, id: stored.record?.id };
    if (seq !== this.expectedSeq) {
      return { kind: 'gap', ...at, detail: `records ${this.expectedSeq}${seq - 1n > this.expectedSeq ? `–${seq - 1n}` : ''} are missing before this one` };
    }
    const { hash, ...unhashed } = stored.record;
    if (hashRecord(unhashed) !== hash || hash !== stored.hash.trim()) {
      return { kind: 'hash_mismatch', ...at, detail: 'its content does not match its hash: it was changed after it was written' };
    }
    if (stored.record.sequence !== stored.seq || stored.record.previoushash !== this.expectedPrevious) {
      return { kind: 'reorder', ...at, detail: `it is intact but does not belong here: it was written as record ${stored.record.sequence}, after another record than the one before it now` };
    }
    this.expectedSeq = seq + 1n;
    this.expectedPrevious = hash;
    this.frontier.add(hash);
    const signed = this.checkpoints.find((c) => c.size === stored.seq);
    if (signed && (signed.root !== this.frontier.root() || signed.headHash !== hash)) {
      return { kind: 'hash_mismatch', ...at, detail: `the chain up to this record is not the one the checkpoint signed at ${signed.createdAt} vouches for: it was rewritten` };
    }
    return undefined;
  }
}
