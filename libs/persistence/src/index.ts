export * from './lib/data-source';
export * from './lib/persistence.module';
export * from './lib/database-doctor';
export * from './lib/migrate-main';
export { PREPARED } from './lib/prepared-statements';
export { BinaryCopyParser, copyOutBinary, type CopiedRow } from './lib/copy-out';
export { CopySlabs } from './lib/copy-slabs';
