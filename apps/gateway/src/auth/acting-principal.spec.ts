import { BadRequestException } from '@nestjs/common';
import { actingPrincipal } from './acting-principal';
import type { ApiCredential } from './api-token.store';
import type { AuthenticatedRequest } from './api-token.guard';

const request = (credential: ApiCredential, headers: Record<string, string> = {}) =>
  ({ credential, header: (name: string) => headers[name.toLowerCase()] }) as unknown as AuthenticatedRequest;
const ada: ApiCredential = { kind: 'personal', tokenId: 't-ada', name: 'ada@example.com', ownerEmail: 'ada@example.com', scopes: ['requests:write'] };
const jira: ApiCredential = { kind: 'service', tokenId: 't-jira', name: 'jira', scopes: ['requests:write', 'act-as'] };

describe('actingPrincipal', () => {
  it('makes a personal token its owner, whatever the body says of them', () => {
    expect(actingPrincipal(request(ada))).toEqual({ actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' }, tokenId: 't-ada' }, scopes: ['requests:write'] });
    expect(actingPrincipal(request(ada), { email: 'ADA@example.com', displayName: 'Ada Lovelace' }).actor).toEqual({
      kind: 'person',
      channel: 'api',
      person: { email: 'ada@example.com', displayName: 'Ada Lovelace' },
      tokenId: 't-ada',
    });
  });

  it('passes anyone else a personal token names on as a claim, for the policy to refuse', () => {
    const principal = actingPrincipal(request(ada), { email: 'bob@example.com', displayName: 'Bob' });
    expect(principal.actor).toMatchObject({ kind: 'person', person: { email: 'ada@example.com' } });
    expect(principal.onBehalfOf).toEqual({ email: 'bob@example.com', displayName: 'Bob' });
  });

  it('makes a service token itself, naming the person from the body or the header', () => {
    expect(actingPrincipal(request(jira))).toEqual({ actor: { kind: 'service', channel: 'api', service: { tokenId: 't-jira', name: 'jira' } }, scopes: ['requests:write', 'act-as'] });
    expect(actingPrincipal(request(jira, { 'gatehouse-on-behalf-of': 'bob@example.com' })).onBehalfOf).toEqual({ email: 'bob@example.com' });
    expect(actingPrincipal(request(jira), { email: 'bob@example.com' }).onBehalfOf).toEqual({ email: 'bob@example.com' });
  });

  it('refuses a header that is not an email, or that names someone other than the body', () => {
    expect(() => actingPrincipal(request(jira, { 'gatehouse-on-behalf-of': 'bob' }))).toThrow(BadRequestException);
    expect(() => actingPrincipal(request(jira, { 'gatehouse-on-behalf-of': 'bob@example.com' }), { email: 'carol@example.com' })).toThrow(/name one person/);
  });
});
