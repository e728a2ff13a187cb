import { randomUUID } from 'node:crypto';
import {
  MESSAGES,
  describeIssues,
  type Envelope,
  type MessageInput,
  type MessageType,
  type TypedEnvelope,
} from '@gatehouse/contracts';
import { currentCorrelation } from '@gatehouse/observability';

export class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

export interface EnvelopeOptions {
  /** The service that produces it (CloudEvents `source`). */
  source: string;
  /** The message this one is a consequence of: its correlation id is carried on. */
  causedBy?: Pick<Envelope, 'id' | 'correlationId'>;
  correlationId?: string;
  id?: string;
  time?: Date;
  /** When the sender stops waiting for the answer (request/reply). */
  deadline?: Date;
}

/**
 * Builds a validated envelope. Validation on the way out means a bad message is an error in
 * the producer's own code path, not a poison message in someone else's consumer.
 */
export function createEnvelope<T extends MessageType>(
  type: T,
  subject: string,
  data: MessageInput<T>,
  options: EnvelopeOptions,
): TypedEnvelope<T> {
  const definition = MESSAGES[type];
  const parsed = definition.data.safeParse(data);
  if (!parsed.success) throw new InvalidMessageError(`refusing to produce invalid "${type}": ${describeIssues(parsed.error)}`);
  const correlationId =
    options.causedBy?.correlationId ?? options.correlationId ?? currentCorrelation()?.correlationId ?? randomUUID();
  return {
    id: options.id ?? randomUUID(),
    type,
    source: options.source,
    time: (options.time ?? new Date()).toISOString(),
    subject,
    correlationId,
    causationId: options.causedBy?.id ?? currentCorrelation()?.causationId ?? null,
    schemaVersion: definition.schemaVersion,
    ...(options.deadline ? { deadline: options.deadline.toISOString() } : {}),
    data: parsed.data,
  } as TypedEnvelope<T>;
}
