import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { AuditQueryResult, AuditRecord, TypedEnvelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { auditFilterSql } from './audit-filter-sql';

/**
 * Answers `audit.query` (the gateway's GET /api/v1/audit and its exports): the matching records
 * in chain order, a page at a time; `nextCursor` is the last sequence of a full page.
 */
const MAX_REPLY_BYTES = 600_000;

@Controller()
export class QueryRecordsHandler {
  constructor(private readonly dataSource: DataSource) {}

  @MessagePattern('audit.query')
  async query(@Payload() query: TypedEnvelope<'audit.query'>): Promise<AuditQueryResult> {
    const { where, params } = auditFilterSql(query.data);
    const limit = query.data.limit;
    const rows: { seq_text: string; record: AuditRecord }[] = await this.dataSource.query(
      `SELECT r.seq::text AS seq_text, r.record FROM audit.records r ${where} ORDER BY r.seq LIMIT ${limit + 1}`,
      params,
    );
    // A reply is one Kafka message (1 MB by default): a page stops short of that, and says so.
    const page: typeof rows = [];
    let bytes = 0;
    for (const row of rows.slice(0, limit)) {
      bytes += JSON.stringify(row.record).length;
      if (page.length > 0 && bytes > MAX_REPLY_BYTES) break;
      page.push(row);
    }
    const more = rows.length > page.length;
    return { records: page.map((row) => row.record), ...(more ? { nextCursor: page[page.length - 1]?.seq_text } : {}) };
  }
}
