import { ACTIONS, SCOPE_OF, type Action } from './actions';

/**
 * Who may do what: the expected answers of `authorize`, written out by hand. The table test
 * (authorize.spec.ts) checks the policy against every cell on every channel, and
 * docs/authorization.md is printed from this same table (`npm run authorization:doc`).
 */

/** The people a request has, seen from the request. */
export const PERSON_ROLES = ['requester', 'approver', 'other', 'compliance', 'admin'] as const;
/** A service token acting as itself, by what it holds. */
export const SERVICE_ROLES = ['service', 'service-compliance', 'service-admin'] as const;
export type Role = (typeof PERSON_ROLES)[number] | (typeof SERVICE_ROLES)[number] | 'system';
export const ROLES: readonly Role[] = [...PERSON_ROLES, ...SERVICE_ROLES, 'system'];

export const ROLE_LABELS: Record<Role, string> = {
  requester: 'requester',
  approver: 'approver of the flow',
  other: 'other person',
  compliance: 'person with read-all + audit:read',
  admin: 'admin',
  service: 'service token',
  'service-compliance': 'service token with read-all + audit:read',
  'service-admin': 'service token with admin',
  system: 'system (timers, Gatehouse services)',
};

/**
 * The principals a person role is tried as: a personal API token, a Slack user, a Slack user
 * through the relay, and a service token holding act-as on that person's behalf.
 */
export const PERSON_CHANNELS = ['api token', 'slack', 'relay', 'act-as service'] as const;
export type PersonChannel = (typeof PERSON_CHANNELS)[number];

/** ✓ allowed; ✗ refused; for lists, what is visible. */
export type Cell = 'allow' | 'deny' | 'all' | 'own+approvable';

const ALLOW_ALL_PEOPLE = { requester: 'allow', approver: 'allow', other: 'allow', compliance: 'allow', admin: 'allow' } as const;
const NO_SERVICE = { service: 'deny', 'service-compliance': 'deny', 'service-admin': 'deny' } as const;
const ONLY_REQUESTER = { requester: 'allow', approver: 'deny', other: 'deny', compliance: 'deny', admin: 'deny', ...NO_SERVICE, system: 'deny' } as const;
const DECIDE = { requester: 'deny', approver: 'allow', other: 'deny', compliance: 'deny', admin: 'deny', ...NO_SERVICE, system: 'deny' } as const;
const SYSTEM_ONLY = { requester: 'deny', approver: 'deny', other: 'deny', compliance: 'deny', admin: 'deny', ...NO_SERVICE, system: 'allow' } as const;

export const EXPECTED: Record<Action, Record<Role, Cell>> = {
  'flows.list': { ...ALLOW_ALL_PEOPLE, service: 'allow', 'service-compliance': 'allow', 'service-admin': 'allow', system: 'deny' },
  // compliance holds only read scopes; a service acting as itself is nobody to grant access to
  'request.create': { ...ALLOW_ALL_PEOPLE, compliance: 'deny', ...NO_SERVICE, system: 'deny' },
  // the system: Gatehouse's own services (slack-bot re-reads a request to bring its messages up to date)
  'request.read': { requester: 'allow', approver: 'allow', other: 'deny', compliance: 'allow', admin: 'allow', service: 'deny', 'service-compliance': 'allow', 'service-admin': 'allow', system: 'allow' },
  'request.list': {
    requester: 'own+approvable',
    approver: 'own+approvable',
    other: 'own+approvable',
    compliance: 'all',
    admin: 'all',
    service: 'deny',
    'service-compliance': 'all',
    'service-admin': 'all',
    system: 'deny',
  },
  // the requester may not approve their own request unless the flow allows it; admin is not an approver
  'request.approve': DECIDE,
  'request.deny': DECIDE,
  'request.cancel': ONLY_REQUESTER,
  'request.revoke': { requester: 'allow', approver: 'allow', other: 'deny', compliance: 'deny', admin: 'allow', service: 'deny', 'service-compliance': 'deny', 'service-admin': 'allow', system: 'deny' },
  'request.extend': ONLY_REQUESTER,
  'request.again': ONLY_REQUESTER,
  'request.expire': SYSTEM_ONLY,
  'request.timeout': SYSTEM_ONLY,
  'audit.read': { requester: 'deny', approver: 'deny', other: 'deny', compliance: 'allow', admin: 'allow', service: 'deny', 'service-compliance': 'allow', 'service-admin': 'allow', system: 'deny' },
};

/** Slack users hold a person's rights, no token scopes: read-all + audit:read cannot be theirs. */
export function applies(role: Role, channel: PersonChannel): boolean {
  return !(role === 'compliance' && (channel === 'slack' || channel === 'relay'));
}

const SYMBOL: Record<Cell, string> = { allow: '✓', deny: '✗', all: '✓ all', 'own+approvable': '✓ own + approvable' };

/** docs/authorization.md, from the table above. */
export function renderAuthorizationDoc(): string {
  const header = `| action | scope | ${ROLES.map((r) => ROLE_LABELS[r]).join(' | ')} |`;
  const rule = `| --- | --- | ${ROLES.map(() => '---').join(' | ')} |`;
  const rows = ACTIONS.map((action) => `| \`${action}\` | ${SCOPE_OF[action] ? `\`${SCOPE_OF[action]}\`` : '—'} | ${ROLES.map((role) => SYMBOL[EXPECTED[action][role]]).join(' | ')} |`);
  return `# Who may do what

<!-- Generated from apps/approval/src/policy/authorization-matrix.ts by \`npm run authorization:doc\`; a test fails when it is stale. -->

Every action in Gatehouse is decided by one pure policy, \`authorize(action, principal, request, flow)\` in
\`apps/approval/src/policy/authorize.ts\`. The person acting is proven by the channel they came through,
never taken from a request body:

| channel | proven by | acts as |
| --- | --- | --- |
| \`api\`, personal token | the token (hashed, scoped, owned by one person: \`gatehouse tokens create --for EMAIL\`) | its owner only; a body naming someone else is refused (403) |
| \`api\`, service token | the token (\`gatehouse tokens create --service NAME\`) | itself; with the \`act-as\` scope, the person it names, recorded as "service X on behalf of Y" |
| \`slack\` | the gateway's verified Slack signature | the Slack user |
| \`relay\` | a \`slack:relay\` token, plus Slack's signature where forwarded | the Slack user in the payload |
| \`system\` | — | timers (request timeouts, expiries); Gatehouse's own services reading a request |

The table below is checked cell by cell, on every channel, by \`apps/approval/src/policy/authorize.spec.ts\`.
Each person column is tried four ways: with a personal API token, as a Slack user, as a Slack user
through the relay, and as a service token holding \`act-as\` acting for that person; the answer is the
same every way. Tokens in the person columns hold \`requests:read\`, \`requests:write\` and
\`decisions:write\` (the rights every Slack user has); "compliance" holds only \`requests:read-all\` and
\`audit:read\` (no Slack user can); "admin" holds \`admin\` — for Slack users, being listed under
\`admins\` in the flows file. \`admin\` implies every scope but \`act-as\`.

The request is pending for approve, deny, cancel and timeout; active for read, revoke, extend and
expire; finished for "again". Approvers are the flow's listed users, or members of its approver
groups (asked of Okta through provisioning-okta).

${header}
${rule}
${rows.join('\n')}

What the ✗ cells answer, and the rules behind them:

- **Identity.** A personal token, a Slack user or a relayed Slack user that names another person
  (as requester, approver or actor) is refused: it acts only as its owner. A service token that names
  a person without holding \`act-as\` is refused. A service token acting as itself is nobody: it cannot
  ask for access, decide, or have requests of its own.
- **Scopes.** An action needs the scope in its row; the refusal names the scope missing and the ones
  the token has.
- **Deciding.** Only approvers of the flow decide (and, once a request is escalated, the flow's
  \`backupApprovers\` too); the requester only when the flow sets
  \`allowSelfApproval\`; one person's approval counts once toward a multi-party threshold (a second
  click is answered "you have already approved"). A decision on a request that was already decided
  is answered with who decided and when.
- **Revoking.** The requester, an approver of the flow, or an admin.
- **Reading.** One's own requests and those one may approve; everything with \`requests:read-all\` or
  \`admin\`. Lists are filtered the same way. The audit trail needs \`audit:read\`.
- **Timers.** Only Gatehouse's own timers time requests out and end expired access; people revoke.
  The system may also read a request: slack-bot does, to keep every message it posted in step.
`;
}
