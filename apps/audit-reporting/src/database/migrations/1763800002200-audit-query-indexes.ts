import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit queries filter by the event's time and by type (decisions, for approvers). */
export class AuditQueryIndexes1763800002200 implements MigrationInterface {
  name = 'AuditQueryIndexes1763800002200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX records_event_time_idx ON audit.records (event_time)`);
    await runner.query(`CREATE INDEX records_type_idx ON audit.records (type, seq)`);
    await runner.query(`CREATE INDEX request_facts_flow_idx ON audit.request_facts ((facts->>'flow'), (facts->>'target'))`);
    await runner.query(`CREATE INDEX request_facts_requester_idx ON audit.request_facts (lower(facts->>'requester'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX audit.request_facts_requester_idx`);
    await runner.query(`DROP INDEX audit.request_facts_flow_idx`);
    await runner.query(`DROP INDEX audit.records_type_idx`);
    await runner.query(`DROP INDEX audit.records_event_time_idx`);
  }
}
