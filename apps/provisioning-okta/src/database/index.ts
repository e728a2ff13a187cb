import { CreateGrantsLedger1763800000600 } from './migrations/1763800000600-create-grants-ledger';
import { AddGrantExpiry1763800000700 } from './migrations/1763800000700-add-grant-expiry';

/** The ledger is written with plain SQL; no entities. */
export const entities = [];
export const migrations = [CreateGrantsLedger1763800000600, AddGrantExpiry1763800000700];
