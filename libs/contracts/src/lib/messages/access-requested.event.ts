import { z } from 'zod';
import { actorSchema, personSchema } from '../identity/actor';
import { accessRequestFieldsSchema } from './access-request-fields';

export const accessRequestedEventSchema = accessRequestFieldsSchema.extend({
  requestId: z.uuid(),
  requester: personSchema,
  /** Who asked: the requester themself, or a service on their behalf. */
  actor: actorSchema,
  status: z.literal('PENDING'),
  /** False when a flow rule approves it at once (access.approved follows): nobody is asked. */
  awaitsApproval: z.boolean().default(true),
  requestedAt: z.iso.datetime({ offset: true }),
});

export type AccessRequestedEvent = z.infer<typeof accessRequestedEventSchema>;
