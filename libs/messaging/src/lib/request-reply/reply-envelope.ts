import { randomUUID } from 'node:crypto';
import type { Envelope, ReplyPayload } from '@gatehouse/contracts';

/** A reply is an envelope too: caused by the request, carrying its correlation id. */
export function replyEnvelope(request: Envelope, source: string, payload: ReplyPayload): Envelope<ReplyPayload> {
  return {
    id: randomUUID(),
    type: `${request.type}.reply`,
    source,
    time: new Date().toISOString(),
    subject: request.subject,
    correlationId: request.correlationId,
    causationId: request.id,
    schemaVersion: 1,
    data: payload,
  };
}
