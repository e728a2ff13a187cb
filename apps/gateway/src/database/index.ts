import { ApiTokenEntity } from './api-token.entity';
import { CreateApiTokens1763800000200 } from './migrations/1763800000200-create-api-tokens';
import { AddTokenOwners1763800000900 } from './migrations/1763800000900-add-token-owners';
import { CreateLinkSignIns1763800001600 } from './migrations/1763800001600-create-link-sign-ins';

export const entities = [ApiTokenEntity];
export const migrations = [CreateApiTokens1763800000200, AddTokenOwners1763800000900, CreateLinkSignIns1763800001600];
