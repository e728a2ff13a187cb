import { z } from 'zod';

/**
 * The one envelope every Gatehouse message travels in. Its attributes map 1:1 onto
 * CloudEvents 1.0 (id, type, source, time, subject) plus the tracing pair
 * correlationId/causationId. `id` is the idempotency key consumers record.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  source: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1),
  correlationId: z.uuid(),
  causationId: z.uuid().nullable(),
  schemaVersion: z.number().int().positive(),
  /**
   * When the caller stops waiting for an answer (request/reply only). A service handling it
   * waits on others no longer than that, so time budgets nest; a CloudEvents extension.
   */
  deadline: z.iso.datetime({ offset: true }).optional(),
  data: z.unknown(),
});

export type Envelope<TData = unknown, TType extends string = string> = Omit<
  z.infer<typeof envelopeSchema>,
  'data' | 'type'
> & { type: TType; data: TData };
