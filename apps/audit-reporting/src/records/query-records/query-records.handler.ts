import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { AuditQueryResult, AuditRecord, TypedEnvelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';

/** Answers `audit.query` (from the gateway's GET /api/v1/audit) with a request's records in order. */
@Controller()
export class QueryRecordsHandler {
  constructor(private readonly dataSource: DataSource) {}

  @MessagePattern('audit.query')
  async query(@Payload() query: TypedEnvelope<'audit.query'>): Promise<AuditQueryResult> {
    const rows: { record: AuditRecord }[] = await this.dataSource.query(
      `SELECT record FROM audit.records WHERE subject = $1 ORDER BY seq LIMIT $2`,
      [query.data.requestId, query.data.limit],
    );
    return { records: rows.map((row) => row.record) };
  }
}
