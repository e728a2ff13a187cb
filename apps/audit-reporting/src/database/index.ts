import { CreateAuditRecords1763800000100 } from './migrations/1763800000100-create-audit-records';
import { AppendOnlyRecords1763800001700 } from './migrations/1763800001700-append-only-records';
import { CreateCheckpoints1763800001800 } from './migrations/1763800001800-create-checkpoints';
import { CreateDestinationCursors1763800001900 } from './migrations/1763800001900-create-destination-cursors';
import { CreateRequestFacts1763800002000 } from './migrations/1763800002000-create-request-facts';
import { CheckpointCursors1763800002100 } from './migrations/1763800002100-checkpoint-cursors';
import { AuditQueryIndexes1763800002200 } from './migrations/1763800002200-audit-query-indexes';
import { AppendOnlyGrants1763800002300 } from './migrations/1763800002300-append-only-grants';
import { RecordsKeepTheirText1763800002400 } from './migrations/1763800002400-records-keep-their-text';

/** Audit tables are written with plain SQL (append-only, hash-chained); no entities. */
export const entities = [];
export const migrations = [CreateAuditRecords1763800000100, AppendOnlyRecords1763800001700, CreateCheckpoints1763800001800, CreateDestinationCursors1763800001900, CreateRequestFacts1763800002000, CheckpointCursors1763800002100, AuditQueryIndexes1763800002200, AppendOnlyGrants1763800002300, RecordsKeepTheirText1763800002400];
