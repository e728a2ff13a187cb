import { CreateSlackMessages1763800001000 } from './migrations/1763800001000-create-slack-messages';
import { CreateSlackOutgoing1763800001100 } from './migrations/1763800001100-create-slack-outgoing';
import { CreateHomeViewers1763800001500 } from './migrations/1763800001500-create-home-viewers';
import { CreateIdentityLinks1763800001600 } from './migrations/1763800001600-create-identity-links';

/** Posted messages and outgoing Slack work are written with plain SQL; no entities. */
export const entities = [];
export const migrations = [CreateSlackMessages1763800001000, CreateSlackOutgoing1763800001100, CreateHomeViewers1763800001500, CreateIdentityLinks1763800001600];
