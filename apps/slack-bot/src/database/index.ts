import { CreateSlackMessages1763800001000 } from './migrations/1763800001000-create-slack-messages';

/** Posted messages are written with plain SQL; no entities. */
export const entities = [];
export const migrations = [CreateSlackMessages1763800001000];
