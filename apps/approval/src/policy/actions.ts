import type { Scope } from '@gatehouse/contracts';

/** Every action a principal can take on requests, flows or the audit trail. */
export const ACTIONS = [
  'flows.list',
  'request.create',
  'request.read',
  'request.list',
  'request.approve',
  'request.deny',
  'request.cancel',
  'request.revoke',
  'request.extend',
  'request.again',
  'request.expire',
  'request.timeout',
  'audit.read',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The scope a credential must hold for each action (system actions need none: only timers take them). */
export const SCOPE_OF: Record<Action, Scope | undefined> = {
  'flows.list': 'requests:read',
  'request.create': 'requests:write',
  'request.read': 'requests:read',
  'request.list': 'requests:read',
  'request.approve': 'decisions:write',
  'request.deny': 'decisions:write',
  'request.cancel': 'requests:write',
  'request.revoke': 'requests:write',
  'request.extend': 'requests:write',
  'request.again': 'requests:write',
  'request.expire': undefined,
  'request.timeout': undefined,
  'audit.read': 'audit:read',
};

/** What a person proven by Slack (directly or through the relay) may do: what a person does. */
export const PERSON_SCOPES: readonly Scope[] = ['requests:read', 'requests:write', 'decisions:write'];
