import { createLogger } from '@gatehouse/observability';
import { FakeOkta } from '@gatehouse/testing';
import { SswsAuth } from '../okta/okta-auth';
import { OktaClient } from '../okta/okta-client';
import { IdentityResolver, parseLoginOverrides } from './identity-resolver';

describe('IdentityResolver against the fake Okta (real HTTP)', () => {
  let okta: FakeOkta;
  const resolver = (overrides = '') =>
    new IdentityResolver(
      new OktaClient({ orgUrl: okta.url, auth: new SswsAuth(okta.apiToken), timeoutMs: 2000, pageSize: 1 }, createLogger({ service: 'test', level: 'silent' })),
      parseLoginOverrides(overrides),
    );

  beforeEach(async () => {
    okta = await new FakeOkta().start();
  });
  afterEach(async () => {
    await okta.stop();
  });

  it('takes the email as the login first, whatever its case', async () => {
    const ada = okta.addUser('ada@example.com');
    expect(await resolver().resolve('Ada@Example.com')).toEqual({ user: expect.objectContaining({ id: ada.id }) });
    expect(okta.log.map((l) => l.path)).toEqual(['/api/v1/users/ada%40example.com']);
  });

  it('searches on the email when logins are not emails, following pages', async () => {
    okta.addUser('someone@example.com', 'someone', 'someone.else');
    const eve = okta.addUser('eve@example.com', 'eve', 'eve.adams');
    expect(await resolver().resolve('eve@example.com')).toEqual({ user: expect.objectContaining({ id: eve.id }) });
  });

  it('uses an override before anything else, and says so when the override names nobody', async () => {
    okta.addUser('grace@example.com');
    const hopper = okta.addUser('grace.hopper@corp.example', 'grace', 'ghopper');
    expect(await resolver('grace@example.com=ghopper').resolve('grace@example.com')).toEqual({ user: expect.objectContaining({ id: hopper.id }) });
    expect(await resolver('grace@example.com=gone').resolve('grace@example.com')).toEqual({
      user: null,
      ambiguous: false,
      cause: expect.stringContaining('no user with login gone (E0000007), the login OKTA_LOGIN_OVERRIDES gives for grace@example.com'),
    });
  });

  it('refuses to pick between two users with the same email, naming both logins', async () => {
    okta.addUser('ops@example.com', 'a', 'ops.a');
    okta.addUser('ops@example.com', 'b', 'ops.b');
    expect(await resolver().resolve('ops@example.com')).toEqual({
      user: null,
      ambiguous: true,
      cause: '2 Okta users have the email ops@example.com (logins ops.a, ops.b); say which is theirs in OKTA_LOGIN_OVERRIDES (ops@example.com=<login>)',
    });
  });

  it('reports someone Okta does not know at all, and what to do about it', async () => {
    expect(await resolver().resolve('nobody@example.com')).toMatchObject({ user: null, ambiguous: false, cause: expect.stringContaining('or be mapped in OKTA_LOGIN_OVERRIDES') });
  });
});

describe('parseLoginOverrides', () => {
  it('reads email=login pairs separated by commas or lines, emails in lower case', () => {
    expect(parseLoginOverrides('Ada@Example.com=ada.lovelace,\n grace@example.com = ghopper@corp.example ,')).toEqual(
      new Map([
        ['ada@example.com', 'ada.lovelace'],
        ['grace@example.com', 'ghopper@corp.example'],
      ]),
    );
    expect(parseLoginOverrides(undefined)).toEqual(new Map());
  });

  it.each([
    ['ada@example.com', '"ada@example.com" is not email=login'],
    ['ada=ada.lovelace', '"ada=ada.lovelace" is not email=login'],
    ['ada@example.com=a=b', 'is not email=login'],
    ['ada@example.com=x, ADA@example.com=y', 'ADA@example.com is mapped twice'],
  ])('rejects %s', (text, message) => {
    expect(() => parseLoginOverrides(text)).toThrow(message);
  });
});
