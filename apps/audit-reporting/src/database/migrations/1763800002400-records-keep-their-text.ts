import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record is stored as `json`, the text it was hashed from, not `jsonb`: PostgreSQL keeps the
 * text as it came, so destinations draining the chain ship it as it is (no parse and
 * serialise again per record) and appending skips jsonb's conversion. Queries still use
 * `->`/`->>`, which json has too. Records written before this migration keep jsonb's rendering
 * of the same content (key order and spacing differ).
 *
 * Records (~2.6 KB) are compressed by TOAST; lz4 where the server has it (PostgreSQL 14+ built
 * with it, as Debian's and the official images are): measured here, reading the chain back ~1.5×
 * as fast as with the default pglz, and writing a little faster. Without it, pglz stays.
 */
export class RecordsKeepTheirText1763800002400 implements MigrationInterface {
  name = 'RecordsKeepTheirText1763800002400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit.records ALTER COLUMN record TYPE json USING record::json`);
    await runner.query(`DO $$
      BEGIN
        EXECUTE 'ALTER TABLE audit.records ALTER COLUMN record SET COMPRESSION lz4';
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'audit.records keeps pglz compression: %', SQLERRM;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit.records ALTER COLUMN record TYPE jsonb USING record::jsonb`);
  }
}
