import type { AuditQuery } from '@gatehouse/contracts';

/** Types that record a decision on a request, and so name its approvers. */
const DECISIONS = ['access.decision.recorded', 'access.approved', 'access.denied'];

/**
 * The WHERE clause of an audit query, with its parameters. Requester, flow and target come from
 * what audit-reporting knows of each request (`audit.request_facts`), so every record of a
 * request matches, not only those whose own event named them; an approver matches every record
 * of the requests they decided.
 */
export function auditFilterSql(query: AuditQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const clauses: string[] = [];
  if (query.after) clauses.push(`r.seq > ${bind(query.after)}`);
  if (query.requestId) clauses.push(`r.subject = ${bind(query.requestId)}`);
  if (query.from) clauses.push(`r.event_time >= ${bind(query.from)}`);
  if (query.to) clauses.push(`r.event_time < ${bind(query.to)}`);
  if (query.types) clauses.push(`r.type = ANY(${bind(query.types)})`);
  const facts: string[] = [];
  if (query.requester) facts.push(`lower(f.facts->>'requester') = lower(${bind(query.requester)})`);
  if (query.flow) facts.push(`f.facts->>'flow' = ${bind(query.flow)}`);
  if (query.target) facts.push(`f.facts->>'target' = ${bind(query.target)}`);
  if (facts.length > 0) clauses.push(`r.subject IN (SELECT f.subject FROM audit.request_facts f WHERE ${facts.join(' AND ')})`);
  if (query.approver) {
    clauses.push(
      `r.subject IN (SELECT d.subject FROM audit.records d WHERE d.type = ANY(${bind(DECISIONS)})
         AND lower(COALESCE(d.record->'data'->'unmapped'->'gatehouse'->'actor'->'person'->>'email', d.record->'data'->'actor'->'person'->>'email',
                            d.record->'data'->'unmapped'->'gatehouse'->'actor'->'onBehalfOf'->>'email', d.record->'data'->'actor'->'onBehalfOf'->>'email')) = lower(${bind(query.approver)}))`,
    );
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
