import { z } from 'zod';
import { principalSchema } from '../identity/actor';

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

/** The requester is whoever the principal proves (or, with act-as, names): never a body field. */
export const createAccessRequestCommandSchema = accessRequestFieldsSchema.extend({
  requestId: z.uuid(),
  principal: principalSchema,
});

export type AccessRequestFields = z.infer<typeof accessRequestFieldsSchema>;
export type CreateAccessRequestCommand = z.infer<typeof createAccessRequestCommandSchema>;
