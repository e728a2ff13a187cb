import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ListRequestsReply, Person, Principal, RequestView, TypedEnvelope } from '@gatehouse/contracts';
import { DirectoryClient, DirectoryUnavailableError } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { approverStatus } from '../../policy/authorize';
import { Authorizer } from '../../policy/authorizer';
import { RequestViews } from '../request-views';

type Groups = { ok: true; groups: string[] } | { ok: false; message: string };

/**
 * `access.request.list`: newest first, as far as the policy lets the principal see: everything
 * (read-all, admin), or their own and those of the flows they may approve. With
 * `awaitingMyDecision`, only what waits for this person's decision (an App Home's "to decide").
 */
@Controller()
export class ListRequestsHandler {
  constructor(
    private readonly views: RequestViews,
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
    private readonly directory: DirectoryClient,
  ) {}

  @MessagePattern('access.request.list')
  async list(@Payload() query: TypedEnvelope<'access.request.list'>): Promise<ListRequestsReply> {
    const { principal, awaitingMyDecision, ...filter } = query.data;
    const allowed = this.authorizer.check('request.list', principal, undefined, undefined);
    if (allowed.outcome === 'refused') return { ok: false, code: 'forbidden', message: allowed.message };
    if (awaitingMyDecision) {
      if (!allowed.person) return { ok: false, code: 'forbidden', message: 'only a person has requests waiting for their decision: act as one (act-as) to list them' };
      return this.awaitingDecisionOf(principal, allowed.person, filter);
    }
    if (allowed.visibility === 'all' || !allowed.person) return { ok: true, visibility: 'all', requests: await this.views.list(filter) };
    const person = allowed.person;
    // One's own requests need no directory: listed even while Okta is unreachable.
    if (filter.requesterEmail?.toLowerCase() === person.email.toLowerCase()) {
      return { ok: true, visibility: 'own-and-approvable', requests: await this.views.list({ ...filter, visibleTo: { email: person.email, approvableFlows: [] } }) };
    }
    // Okta unreachable: what can be known is still listed (their own, and the flows naming them),
    // and the reply says what is left out and why, rather than refusing the whole list.
    const groups = await this.groupsOf(person, false);
    const approvableFlows = this.flows
      .all()
      .filter((f) => approverStatus(person, f, groups.ok ? groups : {}) === 'yes')
      .map((f) => f.name);
    const requests = await this.views.list({ ...filter, visibleTo: { email: person.email, approvableFlows } });
    return { ok: true, visibility: 'own-and-approvable', requests, ...(groups.ok ? {} : { partial: leftOut(groups.message) }) };
  }

  /** Pending requests of the flows this person approves (or backs up), each put to the one policy. */
  private async awaitingDecisionOf(principal: Principal, person: Person, filter: { flow?: string; limit: number }): Promise<ListRequestsReply> {
    const groups = await this.groupsOf(person, true);
    // Okta unreachable: only the flows that name the person, and the reply says so.
    const known = groups.ok ? groups.groups : [];
    const partial = groups.ok ? {} : { partial: leftOut(groups.message) };
    const flows = new Map(this.flows.all().map((f) => [f.name, f]));
    const candidates = [...flows.values()].filter((f) => approverStatus(person, f, groups.ok ? groups : {}, true) === 'yes').map((f) => f.name);
    if (candidates.length === 0) return { ok: true, visibility: 'own-and-approvable', requests: [], ...partial };
    const pending = await this.views.list({ ...filter, status: 'PENDING', flows: candidates });
    // An approver who must first link their account still sees what waits for them (and is told why when they click).
    const mayDecide = (r: RequestView) => {
      const verdict = this.authorizer.check(
        'request.approve',
        principal,
        { requesterEmail: r.requester.email, status: r.status, approvedBy: r.decisions.filter((d) => d.kind === 'approve').map((d) => d.approverEmail), escalated: Boolean(r.escalatedAt) },
        flows.get(r.flow),
        known,
      );
      return verdict.outcome === 'allowed' || verdict.code === 'identity_not_linked';
    };
    return { ok: true, visibility: 'own-and-approvable', requests: pending.filter(mayDecide), ...partial };
  }

  /** The person's Okta groups among those the flows name (their backups too, when asked), if any matter. */
  private async groupsOf(person: Person, withBackups: boolean): Promise<Groups> {
    const flows = this.flows.all();
    const groupIds = [...new Set(flows.flatMap((f) => [...f.approval.approvers.groups, ...(withBackups ? f.approval.backupApprovers.groups : [])]))];
    if (groupIds.length === 0 || !flows.some((f) => approverStatus(person, f, {}, withBackups) === 'unknown')) return { ok: true, groups: [] };
    try {
      return { ok: true, groups: await this.directory.groupsOf(person.email, groupIds) };
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      return { ok: false, message: error.message };
    }
  }
}

function leftOut(reason: string): string {
  return `requests you may approve through an Okta group are not listed: ${reason}`;
}
