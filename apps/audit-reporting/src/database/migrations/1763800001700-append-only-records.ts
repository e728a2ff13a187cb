import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit records are append-only in the database itself, not only by the application's habit:
 * UPDATE, DELETE and TRUNCATE on audit.records are refused by triggers, whoever asks (short of
 * a superuser switching triggers off — which `gatehouse audit verify` then catches by the chain).
 */
export class AppendOnlyRecords1763800001700 implements MigrationInterface {
  name = 'AppendOnlyRecords1763800001700';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit records are append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await runner.query(`CREATE TRIGGER records_no_update_delete BEFORE UPDATE OR DELETE ON audit.records FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await runner.query(`CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON audit.records FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER records_no_truncate ON audit.records`);
    await runner.query(`DROP TRIGGER records_no_update_delete ON audit.records`);
    await runner.query(`DROP FUNCTION audit.refuse_change()`);
  }
}
