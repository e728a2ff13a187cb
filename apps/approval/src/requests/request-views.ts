import { Injectable } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import { toView, type DecisionRow, type RequestRow } from './request-rows';

export interface ListFilter {
  requesterEmail?: string;
  status?: RequestView['status'];
  flow?: string;
  /** Only requests of these flows. */
  flows?: readonly string[];
  limit: number;
  /** Only these: the person's own requests and those of the flows they may approve (absent: all). */
  visibleTo?: { email: string; approvableFlows: readonly string[] };
}

/** Lists requests as the rest of the system sees them (RequestView); the policy says who sees which. */
@Injectable()
export class RequestViews {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: ListFilter): Promise<RequestView[]> {
    const visible = filter.visibleTo;
    const requests: RequestRow[] = await this.dataSource.query(
      `SELECT * FROM approval.access_requests
        WHERE ($1::text IS NULL OR requester_email = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR flow = $3)
          AND ($5::text IS NULL OR requester_email = $5 OR flow = ANY($6::text[]))
          AND ($7::text[] IS NULL OR flow = ANY($7::text[]))
        ORDER BY created_at DESC LIMIT $4`,
      [filter.requesterEmail?.toLowerCase() ?? null, filter.status ?? null, filter.flow ?? null, filter.limit, visible?.email.toLowerCase() ?? null, visible?.approvableFlows ?? [], filter.flows ?? null],
    );
    if (requests.length === 0) return [];
    const decisions: (DecisionRow & { request_id: string })[] = await this.dataSource.query(
      `SELECT * FROM approval.decisions WHERE request_id = ANY($1::uuid[]) ORDER BY id`,
      [requests.map((r) => r.id)],
    );
    return requests.map((request) => toView(request, decisions.filter((d) => d.request_id === request.id)));
  }
}
