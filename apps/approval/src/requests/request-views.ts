import { Injectable } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { toView, type DecisionRow, type RequestRow } from './request-rows';

export interface ListFilter {
  requesterEmail?: string;
  status?: RequestView['status'];
  flow?: string;
  limit: number;
}

/** Reads requests as the rest of the system sees them (RequestView). */
@Injectable()
export class RequestViews {
  constructor(private readonly dataSource: DataSource) {}

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<RequestView | null> {
    const [request]: RequestRow[] = await manager.query(`SELECT * FROM approval.access_requests WHERE id = $1`, [id]);
    if (!request) return null;
    const decisions: DecisionRow[] = await manager.query(`SELECT * FROM approval.decisions WHERE request_id = $1 ORDER BY id`, [id]);
    return toView(request, decisions);
  }

  async list(filter: ListFilter): Promise<RequestView[]> {
    const requests: RequestRow[] = await this.dataSource.query(
      `SELECT * FROM approval.access_requests
        WHERE ($1::text IS NULL OR requester_email = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR flow = $3)
        ORDER BY created_at DESC LIMIT $4`,
      [filter.requesterEmail?.toLowerCase() ?? null, filter.status ?? null, filter.flow ?? null, filter.limit],
    );
    if (requests.length === 0) return [];
    const decisions: (DecisionRow & { request_id: string })[] = await this.dataSource.query(
      `SELECT * FROM approval.decisions WHERE request_id = ANY($1::uuid[]) ORDER BY id`,
      [requests.map((r) => r.id)],
    );
    return requests.map((request) => toView(request, decisions.filter((d) => d.request_id === request.id)));
  }
}
