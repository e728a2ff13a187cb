import { ApiTokenEntity } from './api-token.entity';
import { CreateApiTokens1763800000200 } from './migrations/1763800000200-create-api-tokens';
import { AddTokenOwners1763800000900 } from './migrations/1763800000900-add-token-owners';

export const entities = [ApiTokenEntity];
export const migrations = [CreateApiTokens1763800000200, AddTokenOwners1763800000900];
