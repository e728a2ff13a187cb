import { createHash } from 'node:crypto';
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

/** A stable UUID for the checkpoint, so a resend is recognisably the same event. */
function idOf(checkpoint: SignedCheckpoint): string {
  const hex = createHash('sha256').update(`gatehouse-checkpoint:${checkpoint.size}:${checkpoint.root}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A checkpoint as a CloudEvent, shipped to every destination like a record: with the public key
 * only, anyone holding these copies can check the signature and that the chain in PostgreSQL
 * still matches it (`gatehouse audit verify --anchors <file>`).
 */
export function checkpointEvent(checkpoint: SignedCheckpoint): ShippedEvent {
  return {
    specversion: '1.0',
    id: idOf(checkpoint),
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
