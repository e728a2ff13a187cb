import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { AccessReviewResult, AccessReviewRow, GatehouseAuditFields, TypedEnvelope } from '@gatehouse/contracts';
import { DataSource } from 'typeorm';
import type { RequestFacts } from '../record-event/ocsf-event';

interface GrantRow {
  seq_text: string;
  subject: string;
  granted_at: Date;
  ended_at: Date | null;
  facts: RequestFacts | null;
}

interface StepRow {
  subject: string;
  type: string;
  event_time: Date;
  gatehouse: GatehouseAuditFields | null;
}

const seconds = (from: number, to: number) => Math.max(0, Math.floor((to - from) / 1000));

/**
 * Answers `audit.access_review`: who held which access during [from, to) — each grant whose
 * active time overlaps the range, with its request, who approved it and when, when it started
 * and ended, who ended it, and for how long it was held — read from the audit trail alone.
 */
@Controller()
export class AccessReviewHandler {
  constructor(private readonly dataSource: DataSource) {}

  @MessagePattern('audit.access_review')
  async review(@Payload() query: TypedEnvelope<'audit.access_review'>): Promise<AccessReviewResult> {
    const q = query.data;
    const params: unknown[] = [q.from, q.to];
    const extra: string[] = [];
    if (q.flow) extra.push(`f.facts->>'flow' = $${params.push(q.flow)}`);
    if (q.requester) extra.push(`lower(f.facts->>'requester') = lower($${params.push(q.requester)})`);
    if (q.after) extra.push(`g.seq > $${params.push(q.after)}`);
    const grants: GrantRow[] = await this.dataSource.query(
      `WITH granted AS (
         SELECT subject, min(seq) AS seq, min(event_time) AS granted_at FROM audit.records WHERE type = 'access.activated' GROUP BY subject
       ), ended AS (
         SELECT DISTINCT ON (subject) subject, event_time AS ended_at FROM audit.records WHERE type = 'access.ended' ORDER BY subject, seq
       )
       SELECT g.seq::text AS seq_text, g.subject, g.granted_at, e.ended_at, f.facts
         FROM granted g LEFT JOIN ended e USING (subject) LEFT JOIN audit.request_facts f ON f.subject = g.subject
        WHERE g.granted_at < $2 AND (e.ended_at IS NULL OR e.ended_at > $1) ${extra.map((c) => `AND ${c}`).join(' ')}
        ORDER BY g.seq LIMIT ${q.limit + 1}`,
      params,
    );
    const page = grants.slice(0, q.limit);
    const steps: StepRow[] =
      page.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT subject, type, event_time, record->'data'->'unmapped'->'gatehouse' AS gatehouse FROM audit.records
              WHERE subject = ANY($1) AND type IN ('access.requested', 'access.decision.recorded', 'access.approved', 'access.revoking', 'access.ended') ORDER BY seq`,
            [page.map((g) => g.subject)],
          );
    const now = Date.now();
    const [from, to] = [Date.parse(q.from), Date.parse(q.to)];
    const rows = page.map((grant): AccessReviewRow => {
      const mine = steps.filter((s) => s.subject === grant.subject);
      const of = (type: string) => mine.filter((s) => s.type === type);
      const requested = of('access.requested')[0];
      const approved = of('access.approved')[0];
      const decisions = of('access.decision.recorded');
      const deciders = decisions.length > 0 ? decisions : approved && approved.gatehouse?.actor.kind !== 'system' ? [approved] : [];
      const auto = approved?.gatehouse?.details['autoApproved'] as { rule?: string; detail?: string } | undefined;
      const ended = of('access.ended')[0];
      const endedStatus = ended?.gatehouse?.details['status'] as string | undefined;
      const revoking = of('access.revoking')[0];
      const start = grant.granted_at.getTime();
      const end = grant.ended_at?.getTime() ?? now;
      return {
        requestId: grant.subject,
        requester: grant.facts?.requester,
        flow: grant.facts?.flow,
        target: grant.facts?.target,
        oktaGroupId: grant.facts?.oktaGroupId,
        reason: requested?.gatehouse?.details['reason'] as string | undefined,
        requestedAt: requested?.event_time.toISOString(),
        approvedBy: deciders.map((d) => ({ by: d.gatehouse?.by ?? 'unknown', at: d.event_time.toISOString() })),
        autoApproved: auto ? (auto.detail ?? auto.rule) : undefined,
        grantedAt: grant.granted_at.toISOString(),
        endedAt: grant.ended_at?.toISOString(),
        ended: endedStatus,
        endedBy: endedStatus ? (revoking?.gatehouse?.by ?? ended?.gatehouse?.by) : undefined,
        heldSeconds: seconds(start, end),
        heldSecondsInRange: seconds(Math.max(start, from), Math.min(end, to, now)),
      };
    });
    return { rows, ...(grants.length > page.length ? { nextCursor: page[page.length - 1]?.seq_text } : {}) };
  }
}
