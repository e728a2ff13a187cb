import { z } from 'zod';
import { accessRequestFieldsSchema } from './access-request-fields';
import { requesterSchema } from './requester';

export const accessRequestedEventSchema = accessRequestFieldsSchema.extend({
  requestId: z.uuid(),
  requester: requesterSchema,
  channel: z.enum(['api', 'slack']),
  status: z.literal('PENDING'),
  requestedAt: z.iso.datetime({ offset: true }),
});

export type AccessRequestedEvent = z.infer<typeof accessRequestedEventSchema>;
