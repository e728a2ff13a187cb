import { z } from 'zod';
import { envelopeSchema } from './envelope';

/** The data of every reply to a query: the result, or an error a person can read. */
export const replyPayloadSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ReplyPayload = z.infer<typeof replyPayloadSchema>;

/** A reply is an envelope of type `<query type>.reply`, caused by the query. */
export const replyEnvelopeSchema = envelopeSchema.extend({
  type: z.string().regex(/\.reply$/),
  data: replyPayloadSchema,
});
