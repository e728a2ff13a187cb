import { AccessRequestEntity } from './access-request.entity';
import { CreateAccessRequests1763800000000 } from './migrations/1763800000000-create-access-requests';

export const entities = [AccessRequestEntity];
/** In order; checked in, never generated at run time. */
export const migrations = [CreateAccessRequests1763800000000];
