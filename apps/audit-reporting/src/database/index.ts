import { CreateAuditRecords1763800000100 } from './migrations/1763800000100-create-audit-records';

/** Audit tables are written with plain SQL (append-only, hash-chained); no entities. */
export const entities = [];
export const migrations = [CreateAuditRecords1763800000100];
