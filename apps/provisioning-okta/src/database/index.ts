import { CreateGrantsLedger1763800000600 } from './migrations/1763800000600-create-grants-ledger';

/** The ledger is written with plain SQL; no entities. */
export const entities = [];
export const migrations = [CreateGrantsLedger1763800000600];
