import { stableUuid } from '../stable-uuid';
import type { ShippedEvent } from '../destinations/sinks/sink';

export const CHECKPOINT_TYPE = 'gatehouse.audit.checkpoint';

/** A signed checkpoint as stored, and as shipped. */
export interface SignedCheckpoint {
  size: string;
  root: string;
  headHash: string;
  createdAt: string;
  keyId: string;
  signature: string;
}

/** A checkpoint as `audit.checkpoints` holds it (size as text; the char(64) columns padded). */
export interface CheckpointRow {
  size_text: string;
  root: string;
  head_hash: string;
  created_at: Date;
  key_id: string;
  signature: string;
}

/** The columns to select for a CheckpointRow. */
export const CHECKPOINT_COLUMNS = 'size::text AS size_text, root, head_hash, created_at, key_id, signature';

export function checkpointFromRow(row: CheckpointRow): SignedCheckpoint {
  return { size: row.size_text, root: row.root.trim(), headHash: row.head_hash.trim(), createdAt: row.created_at.toISOString(), keyId: row.key_id, signature: row.signature };
}

/**
 * A checkpoint as a CloudEvent, shipped to every destination like a record: with the public key
 * only, anyone holding these copies can check the signature and that the chain in PostgreSQL
 * still matches it (`gatehouse audit verify --anchors <file>`).
 */
export function checkpointEvent(checkpoint: SignedCheckpoint): ShippedEvent {
  return {
    specversion: '1.0',
    // Stable, so a resend is recognisably the same event.
    id: stableUuid(`gatehouse-checkpoint:${checkpoint.size}:${checkpoint.root}`, '5'),
    source: 'audit-reporting',
    type: CHECKPOINT_TYPE,
    subject: 'audit-chain',
    time: checkpoint.createdAt,
    datacontenttype: 'application/json',
    sequence: checkpoint.size,
    data: {
      ...checkpoint,
      algorithm: 'Ed25519',
      signed: 'RFC 8785 canonical JSON of {size, root, headHash, createdAt, keyId}',
      merkleTree: 'RFC 6962, SHA-256, over the hashes of records 1..size',
    },
  };
}

/** The checkpoint in a shipped line, whatever the destination's format; undefined when the line is not one. */
export function checkpointInLine(line: unknown): SignedCheckpoint | undefined {
  if (!line || typeof line !== 'object') return undefined;
  const l = line as Record<string, unknown>;
  const candidates = [l['data'], l, (l['unmapped'] as Record<string, unknown> | undefined)?.['checkpoint']];
  const isCheckpoint = l['type'] === CHECKPOINT_TYPE || (l['metadata'] as { event_code?: unknown } | undefined)?.event_code === CHECKPOINT_TYPE;
  if (!isCheckpoint) return undefined;
  for (const c of candidates) {
    const x = c as Partial<SignedCheckpoint> | undefined;
    if (x && typeof x.size === 'string' && typeof x.root === 'string' && typeof x.headHash === 'string' && typeof x.createdAt === 'string' && typeof x.keyId === 'string' && typeof x.signature === 'string') {
      return { size: x.size, root: x.root, headHash: x.headHash, createdAt: x.createdAt, keyId: x.keyId, signature: x.signature };
    }
  }
  return undefined;
}
