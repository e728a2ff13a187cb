import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Principal, RequestStatus, Scope } from '@gatehouse/contracts';
import { ACTIONS, type Action } from './actions';
import { applies, EXPECTED, PERSON_CHANNELS, PERSON_ROLES, renderAuthorizationDoc, SERVICE_ROLES, type PersonChannel, type Role } from './authorization-matrix';
import { authorize, type PolicyFacts, type PolicyRequest } from './authorize';
import { APPROVER_GROUP, ONCALL_GROUP, flowFrom } from './policy.fixtures';

const EMAIL: Record<(typeof PERSON_ROLES)[number], string> = {
  requester: 'requester@example.com',
  approver: 'approver@example.com',
  other: 'other@example.com',
  compliance: 'auditor@example.com',
  admin: 'admin@example.com',
};
const SCOPES_OF_ROLE: Record<string, Scope[]> = {
  compliance: ['requests:read-all', 'audit:read'],
  'service-compliance': ['requests:read-all', 'audit:read'],
  admin: ['admin'],
  'service-admin': ['admin'],
};
const personScopes: Scope[] = ['requests:read', 'requests:write', 'decisions:write'];
const scopesOf = (role: string): Scope[] => SCOPES_OF_ROLE[role] ?? personScopes;

const flow = flowFrom(`      approvers:\n        users: [approver@example.com, second-approver@example.com]\n`);
const facts: PolicyFacts = { admins: [EMAIL.admin] };

/** The request each action is tried on, in the state the action applies to. */
const STATUS_FOR: Record<Action, RequestStatus> = {
  'flows.list': 'ACTIVE',
  'request.create': 'PENDING',
  'request.read': 'ACTIVE',
  'request.list': 'ACTIVE',
  'request.approve': 'PENDING',
  'request.deny': 'PENDING',
  'request.cancel': 'PENDING',
  'request.revoke': 'ACTIVE',
  'request.extend': 'ACTIVE',
  'request.again': 'EXPIRED',
  'request.expire': 'ACTIVE',
  'request.timeout': 'PENDING',
  'audit.read': 'ACTIVE',
};
const requestFor = (action: Action): PolicyRequest => ({ requesterEmail: EMAIL.requester, status: STATUS_FOR[action], approvedBy: [] });

function personPrincipal(role: (typeof PERSON_ROLES)[number], channel: PersonChannel): Principal {
  const person = { email: EMAIL[role] };
  switch (channel) {
    case 'api token':
      return { actor: { kind: 'person', channel: 'api', person, tokenId: 'tok-person' }, scopes: scopesOf(role) };
    case 'slack':
      return { actor: { kind: 'person', channel: 'slack', person: { ...person, slackUserId: 'U0123ABCD' } }, scopes: [] };
    case 'relay':
      return { actor: { kind: 'person', channel: 'relay', person, tokenId: 'tok-relay' }, scopes: ['slack:relay'] };
    case 'act-as service':
      return { actor: { kind: 'service', channel: 'api', service: { tokenId: 'tok-svc', name: 'ticketing' } }, scopes: [...scopesOf(role), 'act-as'], onBehalfOf: person };
  }
}

function servicePrincipal(role: (typeof SERVICE_ROLES)[number]): Principal {
  return { actor: { kind: 'service', channel: 'api', service: { tokenId: 'tok-svc', name: 'ticketing' } }, scopes: scopesOf(role) };
}

const cases: [Action, Role, string, Principal][] = [];
for (const action of ACTIONS) {
  for (const role of PERSON_ROLES) for (const channel of PERSON_CHANNELS) if (applies(role, channel)) cases.push([action, role, channel, personPrincipal(role, channel)]);
  for (const role of SERVICE_ROLES) cases.push([action, role, 'api', servicePrincipal(role)]);
  cases.push([action, 'system', 'system', { actor: { kind: 'system', channel: 'system', component: 'timer' }, scopes: [] }]);
}

describe('authorize: every action × principal kind × role × channel', () => {
  it.each(cases)('%s by %s via %s', (action, role, _channel, principal) => {
    const expected = EXPECTED[action][role];
    const result = authorize(action, principal, requestFor(action), flow, facts);
    if (expected === 'deny') {
      expect(result).toMatchObject({ outcome: 'refused', message: expect.stringMatching(/\w{3,}/) });
      return;
    }
    expect(result).toMatchObject({ outcome: 'allowed' });
    if (result.outcome !== 'allowed') return;
    if (expected === 'all') expect(result.visibility).toBe('all');
    if (expected === 'own+approvable') expect(result.visibility).toBe('own-and-approvable');
    // The audit trail names the acting credential and, with act-as, the person acted for.
    if (principal.onBehalfOf && principal.actor.kind === 'service') {
      expect(result.actor).toEqual({ ...principal.actor, onBehalfOf: principal.onBehalfOf });
      expect(result.person).toEqual(principal.onBehalfOf);
    } else {
      expect(result.actor).toEqual(principal.actor);
    }
  });

  it('covers every action and every role', () => {
    for (const action of ACTIONS) expect(Object.keys(EXPECTED[action]).sort()).toEqual([...PERSON_ROLES, ...SERVICE_ROLES, 'system'].sort());
  });

  it('docs/authorization.md is printed from the same table (regenerate with npm run authorization:doc)', () => {
    const checkedIn = readFileSync(path.resolve(__dirname, '../../../../docs/authorization.md'), 'utf8');
    expect(checkedIn).toBe(renderAuthorizationDoc());
  });
});

describe('authorize: identity is proven, never claimed', () => {
  const pending: PolicyRequest = { requesterEmail: 'bob@example.com', status: 'PENDING', approvedBy: [] };
  const ada = (scopes: Scope[] = personScopes): Principal => ({ actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, scopes });

  it('refuses a personal token that names someone else, saying whose token it is', () => {
    const result = authorize('request.approve', { ...ada(), onBehalfOf: { email: 'approver@example.com' } }, pending, flow, facts);
    expect(result).toEqual({ outcome: 'refused', code: 'forbidden', message: expect.stringContaining('belongs to ada@example.com and acts only as them, never for approver@example.com') });
  });

  it('accepts a body that names the token owner, whatever the letter case', () => {
    expect(authorize('request.create', { ...ada(), onBehalfOf: { email: 'Ada@Example.com' } }, undefined, flow, facts)).toMatchObject({ outcome: 'allowed' });
  });

  it('refuses a Slack user naming someone else', () => {
    const slack: Principal = { actor: { kind: 'person', channel: 'slack', person: { email: 'ada@example.com' } }, scopes: [], onBehalfOf: { email: 'bob@example.com' } };
    expect(authorize('request.cancel', slack, pending, flow, facts)).toMatchObject({ outcome: 'refused', message: expect.stringContaining('Slack user is ada@example.com') });
  });

  it('refuses a service token naming a person without act-as — admin does not imply it', () => {
    const service: Principal = { actor: { kind: 'service', channel: 'api', service: { tokenId: 't', name: 'jira' } }, scopes: ['admin'], onBehalfOf: { email: 'bob@example.com' } };
    expect(authorize('request.cancel', service, pending, flow, facts)).toMatchObject({ outcome: 'refused', message: expect.stringContaining('needs the act-as scope') });
  });

  it('names the missing scope and the ones held', () => {
    expect(authorize('request.approve', ada(['requests:read']), pending, flow, facts)).toMatchObject({
      outcome: 'refused',
      message: expect.stringContaining('lacks the "decisions:write" scope (it has: requests:read)'),
    });
  });
});

describe('authorize: approver rules', () => {
  const groupFlow = flowFrom(`      approvers:\n        groups: [${APPROVER_GROUP}]\n        users: [lead@example.com]\n      required: 2\n`);
  const selfFlow = flowFrom(`      approvers:\n        users: [ada@example.com]\n      allowSelfApproval: true\n`);
  const person = (email: string): Principal => ({ actor: { kind: 'person', channel: 'slack', person: { email } }, scopes: [] });
  const pending = (over: Partial<PolicyRequest> = {}): PolicyRequest => ({ requesterEmail: 'dev@example.com', status: 'PENDING', approvedBy: [], ...over });

  it('asks for the Okta groups of someone not listed, then decides on them', () => {
    expect(authorize('request.approve', person('dba@example.com'), pending(), groupFlow, {})).toEqual({ outcome: 'needs-groups', groups: [APPROVER_GROUP] });
    expect(authorize('request.approve', person('dba@example.com'), pending(), groupFlow, { groups: [APPROVER_GROUP] })).toMatchObject({ outcome: 'allowed' });
    expect(authorize('request.approve', person('dba@example.com'), pending(), groupFlow, { groups: [] })).toMatchObject({ outcome: 'refused', code: 'not_an_approver' });
    // a listed approver needs no directory
    expect(authorize('request.approve', person('lead@example.com'), pending(), groupFlow, {})).toMatchObject({ outcome: 'allowed' });
  });

  it('a group member may revoke and read, asked the same way', () => {
    const active = pending({ status: 'ACTIVE' });
    expect(authorize('request.revoke', person('dba@example.com'), active, groupFlow, {})).toMatchObject({ outcome: 'needs-groups' });
    expect(authorize('request.revoke', person('dba@example.com'), active, groupFlow, { groups: [APPROVER_GROUP] })).toMatchObject({ outcome: 'allowed' });
    expect(authorize('request.read', person('dba@example.com'), active, groupFlow, { groups: ['00gsomethingelse0001'] })).toMatchObject({ outcome: 'refused' });
  });

  it('lets the requester approve only when the flow allows it', () => {
    expect(authorize('request.approve', person('ada@example.com'), pending({ requesterEmail: 'ada@example.com' }), selfFlow, {})).toMatchObject({ outcome: 'allowed' });
    expect(authorize('request.deny', person('lead@example.com'), pending({ requesterEmail: 'lead@example.com' }), groupFlow, {})).toMatchObject({ outcome: 'refused', code: 'self_approval' });
  });

  it('counts one person once toward a multi-party threshold', () => {
    expect(authorize('request.approve', person('Lead@example.com'), pending({ approvedBy: ['lead@example.com'] }), groupFlow, {})).toEqual({
      outcome: 'refused',
      code: 'duplicate',
      message: 'you have already approved; 1 more approval(s) from other approvers needed',
    });
    // once decided, the request itself answers who decided (not the policy)
    expect(authorize('request.approve', person('lead@example.com'), pending({ status: 'GRANTING', approvedBy: ['lead@example.com'] }), groupFlow, {})).toMatchObject({ outcome: 'allowed' });
  });

  it('lets backup approvers decide only once the request is escalated, asking their groups then', () => {
    const escalating = flowFrom(`      approvers:\n        users: [lead@example.com]\n      escalateAfter: 4h\n      backupApprovers:\n        users: [oncall@example.com]\n        groups: [${ONCALL_GROUP}]\n`);
    expect(authorize('request.approve', person('oncall@example.com'), pending(), escalating, {})).toMatchObject({ outcome: 'refused', code: 'not_an_approver' });
    expect(authorize('request.approve', person('oncall@example.com'), pending({ escalated: true }), escalating, {})).toMatchObject({ outcome: 'allowed' });
    expect(authorize('request.approve', person('sre@example.com'), pending({ escalated: true }), escalating, {})).toEqual({ outcome: 'needs-groups', groups: [ONCALL_GROUP] });
    expect(authorize('request.approve', person('sre@example.com'), pending({ escalated: true }), escalating, { groups: [ONCALL_GROUP] })).toMatchObject({ outcome: 'allowed' });
    // The flow's own approvers keep deciding after an escalation.
    expect(authorize('request.approve', person('lead@example.com'), pending({ escalated: true }), escalating, {})).toMatchObject({ outcome: 'allowed' });
  });

  it('on a flow that requires a linked identity, accepts Slack users only once linked; tokens vouch for their person', () => {
    const linkedOnly = flowFrom(`      approvers:\n        users: [lead@example.com]\n`, '    requireLinkedIdentity: true\n');
    const slack = (email: string, identity?: 'linked' | 'slack-profile'): Principal => ({ actor: { kind: 'person', channel: 'slack', person: { email }, ...(identity ? { identity } : {}) }, scopes: [] });
    expect(authorize('request.create', slack('dev@example.com', 'slack-profile'), undefined, linkedOnly, {})).toMatchObject({ outcome: 'refused', code: 'identity_not_linked', message: expect.stringContaining('Link your account') });
    expect(authorize('request.create', slack('dev@example.com', 'linked'), undefined, linkedOnly, {})).toMatchObject({ outcome: 'allowed' });
    expect(authorize('request.approve', slack('lead@example.com'), pending(), linkedOnly, {})).toMatchObject({ outcome: 'refused', code: 'identity_not_linked' });
    expect(authorize('request.approve', slack('lead@example.com', 'linked'), pending(), linkedOnly, {})).toMatchObject({ outcome: 'allowed' });
    const token: Principal = { actor: { kind: 'person', channel: 'api', person: { email: 'dev@example.com' } }, scopes: personScopes };
    expect(authorize('request.create', token, undefined, linkedOnly, {})).toMatchObject({ outcome: 'allowed' });
    // Not an approver stays the first thing said to someone who is not one.
    expect(authorize('request.approve', slack('dev@example.com'), pending(), linkedOnly, {})).toMatchObject({ code: 'not_an_approver' });
  });

  it('treats a request whose flow is gone as having no approvers', () => {
    expect(authorize('request.approve', person('lead@example.com'), pending(), undefined, {})).toMatchObject({ outcome: 'refused', code: 'not_an_approver' });
  });
});
