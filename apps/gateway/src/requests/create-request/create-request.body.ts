import { accessRequestFieldsSchema } from '@gatehouse/contracts';
import { z } from 'zod';
import { namedPersonSchema } from '../../auth/acting-principal';

/**
 * POST /api/v1/requests: the request fields. The requester is the token's owner; `requester`
 * may repeat them (with a display name), or name someone else for a service token with act-as.
 */
export const createRequestBodySchema = accessRequestFieldsSchema.extend({ requester: namedPersonSchema.optional() }).strict();
export type CreateRequestBody = z.infer<typeof createRequestBodySchema>;
