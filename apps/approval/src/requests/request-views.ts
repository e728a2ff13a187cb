import { Injectable } from '@nestjs/common';
import type { RequestView } from '@gatehouse/contracts';
import { DataSource, In, type EntityManager } from 'typeorm';
import { AccessRequestEntity } from '../database/access-request.entity';
import { DecisionEntity } from '../database/decision.entity';

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
    const request = await manager.findOneBy(AccessRequestEntity, { id });
    if (!request) return null;
    const decisions = await manager.find(DecisionEntity, { where: { requestId: id }, order: { id: 'ASC' } });
    return toView(request, decisions);
  }

  async list(filter: ListFilter): Promise<RequestView[]> {
    const requests = await this.dataSource.manager.find(AccessRequestEntity, {
      where: {
        ...(filter.requesterEmail ? { requesterEmail: filter.requesterEmail.toLowerCase() } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.flow ? { flow: filter.flow } : {}),
      },
      order: { createdAt: 'DESC' },
      take: filter.limit,
    });
    if (requests.length === 0) return [];
    const decisions = await this.dataSource.manager.find(DecisionEntity, {
      where: { requestId: In(requests.map((r) => r.id)) },
      order: { id: 'ASC' },
    });
    return requests.map((request) => toView(request, decisions.filter((d) => d.requestId === request.id)));
  }
}

export function toView(request: AccessRequestEntity, decisions: DecisionEntity[]): RequestView {
  return {
    id: request.id,
    flow: request.flow,
    target: request.target,
    targetLabel: request.targetLabel,
    durationSeconds: request.durationSeconds,
    reason: request.reason,
    requester: request.requester,
    channel: request.channel,
    status: request.status,
    approvals: { count: new Set(decisions.filter((d) => d.kind === 'approve').map((d) => d.approverEmail)).size, required: request.approvalsRequired },
    decisions: decisions.map((d) => ({
      approverEmail: d.approverEmail,
      kind: d.kind,
      ...(d.reason ? { reason: d.reason } : {}),
      decidedAt: new Date(d.decidedAt).toISOString(),
    })),
    access:
      request.grantedAt && request.expiresAt
        ? {
            grantedAt: new Date(request.grantedAt).toISOString(),
            expiresAt: new Date(request.expiresAt).toISOString(),
            ...(request.ending ? { ending: request.ending } : {}),
            ...(request.endedAt ? { endedAt: new Date(request.endedAt).toISOString() } : {}),
          }
        : null,
    failure: request.failure,
    createdAt: new Date(request.createdAt).toISOString(),
    updatedAt: new Date(request.updatedAt).toISOString(),
  };
}
