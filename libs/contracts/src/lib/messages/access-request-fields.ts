import { z } from 'zod';
import { requesterSchema } from './requester';

/** The fields a person fills in when asking for access; shared by the API body and the command. */
export const accessRequestFieldsSchema = z.object({
  flow: z.string().min(1).max(100),
  target: z.string().min(1).max(200),
  durationSeconds: z
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 30),
  // Whether a reason is required, and its shape, is the flow's rule (approval checks it).
  reason: z.string().trim().max(2000).default(''),
});

export const createAccessRequestCommandSchema = accessRequestFieldsSchema.extend({
  requestId: z.uuid(),
  requester: requesterSchema,
  channel: z.enum(['api', 'slack']),
});

export type AccessRequestFields = z.infer<typeof accessRequestFieldsSchema>;
export type CreateAccessRequestCommand = z.infer<typeof createAccessRequestCommandSchema>;
