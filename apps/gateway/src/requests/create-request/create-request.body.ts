import { accessRequestFieldsSchema, requesterSchema } from '@gatehouse/contracts';
import { z } from 'zod';

/** POST /api/v1/requests: the request fields, and who is asking. */
export const createRequestBodySchema = accessRequestFieldsSchema.extend({ requester: requesterSchema }).strict();
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;
