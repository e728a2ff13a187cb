import type { Principal, Scope } from '@gatehouse/contracts';

/** What a person's personal API token holds in tests, unless said otherwise. */
export const PERSON_TEST_SCOPES: Scope[] = ['requests:read', 'requests:write', 'decisions:write'];

/** A person as a channel proves them: a personal API token by default. */
export function personPrincipal(email: string, { channel = 'api', scopes = PERSON_TEST_SCOPES }: { channel?: 'api' | 'slack' | 'relay'; scopes?: Scope[] } = {}): Principal {
  return { actor: { kind: 'person', channel, person: { email } }, scopes };
}

/** A service token; with `onBehalfOf` (and the act-as scope) it acts for that person. */
export function servicePrincipal(name: string, scopes: Scope[], onBehalfOf?: string): Principal {
  return {
    actor: { kind: 'service', channel: 'api', service: { tokenId: `svc-${name}`, name } },
    scopes,
    ...(onBehalfOf ? { onBehalfOf: { email: onBehalfOf } } : {}),
  };
}
