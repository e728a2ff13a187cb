import { ApiTokenEntity } from './api-token.entity';
import { CreateApiTokens1763800000200 } from './migrations/1763800000200-create-api-tokens';

export const entities = [ApiTokenEntity];
export const migrations = [CreateApiTokens1763800000200];
