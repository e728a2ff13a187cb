import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What earlier records said of each request (flow, target, requester, Okta group, last status),
 * so a record whose event carries only the request id still names them, and the status before.
 * Derived from the chain, never part of it: rebuilt from the records if it is ever lost.
 */
export class CreateRequestFacts1763800002000 implements MigrationInterface {
  name = 'CreateRequestFacts1763800002000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE audit.request_facts (
      subject text PRIMARY KEY,
      facts jsonb NOT NULL,
      updated_seq bigint NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.request_facts`);
  }
}
