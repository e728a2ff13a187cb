import type { Flow } from '@gatehouse/config';
import { holdsScope, type Actor, type Person, type Principal, type RequestStatus, type Scope } from '@gatehouse/contracts';
import { PERSON_SCOPES, SCOPE_OF, type Action } from './actions';

/** The parts of a request the policy looks at. */
export interface PolicyRequest {
  requesterEmail: string;
  status: RequestStatus;
  /** Who has approved it so far (emails). */
  approvedBy: readonly string[];
  /** Escalated (the flow's escalateAfter passed): its backup approvers may decide too. */
  escalated?: boolean;
}

/** What the policy cannot know by itself. */
export interface PolicyFacts {
  /** The acting person's Okta groups among those the flow names; undefined until asked. */
  groups?: readonly string[];
  /** Gatehouse admins by email (flows file `admins`): Slack carries no token scope. */
  admins?: readonly string[];
}

export type Visibility = 'all' | 'own-and-approvable';

export type RefusalCode = 'forbidden' | 'not_an_approver' | 'self_approval' | 'duplicate' | 'identity_not_linked';

export type Authorization =
  /** `actor` is who the audit trail names; `person` the one acted as or for. */
  | { outcome: 'allowed'; actor: Actor; person?: Person; visibility?: Visibility }
  | { outcome: 'refused'; code: RefusalCode; message: string }
  /** Being an approver depends on the person's Okta groups: ask the directory, then again. */
  | { outcome: 'needs-groups'; groups: string[] };

const refused = (message: string, code: RefusalCode = 'forbidden'): Authorization => ({ outcome: 'refused', code, message });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The one authorization policy: may this principal take this action on this request of this
 * flow? Pure; every handler asks it, none decides on its own. Identity is the principal's,
 * as its channel proved it; a person named in a body is accepted only from a service token
 * holding `act-as`, and is then recorded as "service X on behalf of Y".
 */
export function authorize(action: Action, principal: Principal, request?: PolicyRequest, flow?: Flow, facts: PolicyFacts = {}): Authorization {
  const { actor } = principal;
  if (actor.kind === 'system') {
    // Timers time out and expire; Gatehouse's own services read (slack-bot keeps its messages in step).
    return action === 'request.expire' || action === 'request.timeout' || action === 'request.read'
      ? { outcome: 'allowed', actor }
      : refused(`Gatehouse itself only reads requests, times them out and ends expired access; "${action}" is for people and services`);
  }
  if (action === 'request.expire' || action === 'request.timeout') {
    return refused(`only Gatehouse's own timers ${action === 'request.expire' ? 'end expired access' : 'time requests out'}; to end access now, revoke it`);
  }

  // Who is acting, and for whom.
  let acting: { actor: Actor; person?: Person };
  if (actor.kind === 'person') {
    if (principal.onBehalfOf && !same(principal.onBehalfOf.email, actor.person.email)) {
      const credential = actor.channel === 'api' ? 'this personal API token belongs to' : `this ${actor.channel === 'slack' ? 'Slack' : 'relayed Slack'} user is`;
      return refused(
        `${credential} ${actor.person.email} and acts only as them, never for ${principal.onBehalfOf.email}; ${principal.onBehalfOf.email} must act with their own credentials (or an automation with a service token holding act-as)`,
      );
    }
    acting = { actor, person: actor.person };
  } else if (principal.onBehalfOf) {
    if (!holdsScope(principal.scopes, 'act-as')) {
      return refused(
        `service token "${actor.service.name}" acts only as itself and cannot act for ${principal.onBehalfOf.email}: it needs the act-as scope (gatehouse tokens create --service ${actor.service.name} --scopes …,act-as)`,
      );
    }
    acting = { actor: { ...actor, onBehalfOf: principal.onBehalfOf }, person: principal.onBehalfOf };
  } else {
    acting = { actor };
  }

  const scopes = effectiveScopes(principal, facts);
  const needed = SCOPE_OF[action];
  if (needed && !holds(scopes, needed)) {
    return refused(`${describeCredential(principal)} lacks the "${needed}" scope (it has: ${scopes.join(', ') || 'none'}); mint a token with it`);
  }
  const admin = holdsScope(scopes, 'admin');
  const readAll = admin || scopes.includes('requests:read-all');
  const allowed = (extra: { visibility?: Visibility } = {}): Authorization => ({ outcome: 'allowed', ...acting, ...extra });
  const person = acting.person;

  switch (action) {
    case 'flows.list':
    case 'audit.read':
      return allowed();
    case 'request.create':
      if (person && flow && unproven(acting.actor, flow)) return refused(linkNeeded(flow, 'ask for access'), 'identity_not_linked');
      return person
        ? allowed()
        : refused(`service token "${serviceName(actor)}" acts only as itself and cannot ask for access; name the person it asks for, with a token holding act-as`);
    case 'request.list':
      if (readAll) return allowed({ visibility: 'all' });
      return person
        ? allowed({ visibility: 'own-and-approvable' })
        : refused(`service token "${serviceName(actor)}" acts as nobody, so it has no requests of its own: give it requests:read-all to see every request, or act-as to list a person's`);
  }

  if (!request) throw new Error(`authorize("${action}") needs the request`);
  const isRequester = person !== undefined && same(person.email, request.requesterEmail);
  switch (action) {
    case 'request.read': {
      if (readAll || isRequester) return allowed();
      const approver = person ? approverStatus(person, flow, facts, request?.escalated) : 'no';
      if (approver === 'unknown') return needsGroups(flow, request?.escalated);
      return approver === 'yes' ? allowed() : refused(`${who(acting)} may read only their own requests and those they may approve (or hold requests:read-all)`);
    }
    case 'request.approve':
    case 'request.deny': {
      if (!person) return refused(`service token "${serviceName(actor)}" is not a person and cannot decide; a decision needs an approver (act-as names one)`);
      const approver = approverStatus(person, flow, facts, request?.escalated);
      if (approver === 'unknown') return needsGroups(flow, request?.escalated);
      const flowName = flow?.name ?? 'the request';
      if (approver === 'no') return refused(`${person.email.toLowerCase()} is not an approver of flow "${flowName}"`, 'not_an_approver');
      if (flow && unproven(acting.actor, flow)) return refused(linkNeeded(flow, 'decide'), 'identity_not_linked');
      if (isRequester && !flow?.approval.allowSelfApproval) {
        return refused(`flow "${flowName}" does not allow approving your own request; another approver must decide`, 'self_approval');
      }
      // Distinct approvers: one person counts once. Once decided, the request says who decided.
      if (action === 'request.approve' && request.status === 'PENDING' && request.approvedBy.some((e) => same(e, person.email))) {
        const more = Math.max(1, (flow?.approval.required ?? 1) - new Set(request.approvedBy.map((e) => e.toLowerCase())).size);
        return refused(`you have already approved; ${more} more approval(s) from other approvers needed`, 'duplicate');
      }
      return allowed();
    }
    case 'request.cancel':
      return isRequester ? allowed() : refused(`only the requester (${request.requesterEmail}) can cancel this request, not ${who(acting)}`);
    case 'request.extend':
    case 'request.again':
      return isRequester
        ? allowed()
        : refused(`only ${request.requesterEmail}, who asked for it, can ${action === 'request.extend' ? 'extend' : 'repeat'} this request, not ${who(acting)}`);
    case 'request.revoke': {
      if (isRequester || admin) return allowed();
      const approver = person ? approverStatus(person, flow, facts, request?.escalated) : 'no';
      if (approver === 'unknown') return needsGroups(flow, request?.escalated);
      return approver === 'yes'
        ? allowed()
        : refused(`${who(acting)} may not revoke this access: only the requester, an approver of flow "${flow?.name ?? '?'}" or an admin can`);
    }
  }
  throw new Error(`no rule for action "${action}"`);
}

/**
 * A flow that requires a linked identity accepts a Slack (or relayed Slack) user only once they
 * linked their Slack account by signing in to Okta; a personal API token (minted for that person)
 * and a service acting for someone with act-as vouch for the person themselves.
 */
function unproven(actor: Actor, flow: Flow): boolean {
  return flow.requireLinkedIdentity && actor.kind === 'person' && actor.channel !== 'api' && actor.identity !== 'linked';
}

function linkNeeded(flow: Flow, what: string): string {
  return `flow "${flow.name}" requires a linked account to ${what}: use "Link your account" in Gatehouse's Home in Slack and sign in to Okta, then try again`;
}

/** May this person approve requests of this flow? `unknown` when it hangs on Okta groups not yet asked. */
export function approverStatus(person: Person, flow: Flow | undefined, facts: PolicyFacts, escalated = false): 'yes' | 'no' | 'unknown' {
  if (!flow) return 'no';
  const { users, groups } = approversOf(flow, escalated);
  if (users.some((u) => same(u, person.email))) return 'yes';
  if (groups.length === 0) return 'no';
  if (facts.groups === undefined) return 'unknown';
  return groups.some((g) => facts.groups?.includes(g)) ? 'yes' : 'no';
}

/**
 * The scopes the principal holds: an API token's own; a Slack or relayed Slack user holds a
 * person's, plus admin when the flows file lists them as an admin.
 */
export function effectiveScopes(principal: Principal, facts: PolicyFacts): Scope[] {
  const { actor } = principal;
  if (actor.kind === 'person' && actor.channel !== 'api') {
    const admin = facts.admins?.some((a) => same(a, actor.person.email));
    return admin ? [...PERSON_SCOPES, 'admin'] : [...PERSON_SCOPES];
  }
  return [...principal.scopes];
}

/** requests:read-all includes requests:read. */
function holds(scopes: readonly Scope[], needed: Scope): boolean {
  return holdsScope(scopes, needed) || (needed === 'requests:read' && scopes.includes('requests:read-all'));
}

function needsGroups(flow: Flow | undefined, escalated = false): Authorization {
  return { outcome: 'needs-groups', groups: flow ? approversOf(flow, escalated).groups : [] };
}

/** Who may decide: the flow's approvers, and once the request is escalated its backup approvers too. */
function approversOf(flow: Flow, escalated: boolean): { users: string[]; groups: string[] } {
  const { approvers, backupApprovers } = flow.approval;
  return escalated ? { users: [...approvers.users, ...backupApprovers.users], groups: [...approvers.groups, ...backupApprovers.groups] } : { users: [...approvers.users], groups: [...approvers.groups] };
}

function serviceName(actor: Actor): string {
  return actor.kind === 'service' ? actor.service.name : actor.kind;
}

function who(acting: { actor: Actor; person?: Person }): string {
  return acting.person ? acting.person.email.toLowerCase() : `service token "${serviceName(acting.actor)}"`;
}

function describeCredential(principal: Principal): string {
  const { actor } = principal;
  if (actor.kind === 'service') return `service token "${actor.service.name}"`;
  if (actor.kind === 'person' && actor.channel === 'api') return `the API token of ${actor.person.email}`;
  return actor.kind === 'person' ? `${actor.person.email} (${actor.channel})` : 'the system';
}
