import { createLogger } from '@gatehouse/observability';
import { FakeOkta } from '@gatehouse/testing';
import { SswsAuth } from './okta-auth';
import { OktaClient, OktaError } from './okta-client';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('OktaClient against the fake Okta (real HTTP)', () => {
  let okta: FakeOkta;
  const client = (overrides: Partial<ConstructorParameters<typeof OktaClient>[0]> = {}) =>
    new OktaClient({ orgUrl: okta.url, auth: new SswsAuth(okta.apiToken), timeoutMs: 2000, ...overrides }, logger);

  beforeEach(async () => {
    okta = await new FakeOkta().start();
  });
  afterEach(async () => {
    await okta.stop();
  });

  it('finds a user by login, and answers null for an unknown one', async () => {
    const ada = okta.addUser('ada@example.com');
    expect(await client().findUser('ada@example.com')).toMatchObject({ id: ada.id, profile: { login: 'ada@example.com' } });
    expect(await client().findUser('nobody@example.com')).toBeNull();
  });

  it('follows Link headers through every page of a user’s groups', async () => {
    const ada = okta.addUser('ada@example.com');
    for (let i = 0; i < 7; i++) okta.addMember(okta.addGroup(`00group${String(i).padStart(13, '0')}`).id, ada.id);
    expect(await client({ pageSize: 2 }).groupIdsOf(ada.id)).toHaveLength(7);
    expect(okta.log.filter((l) => l.path.endsWith('/groups'))).toHaveLength(4);
  });

  it('waits for the window to reset once its budget is spent, instead of drawing a 429', async () => {
    okta.addUser('ada@example.com');
    okta.rateLimitPerMinute = 2;
    okta.rateLimitWindowMs = 1000;
    const c = client();
    for (let i = 0; i < 3; i++) expect(await c.findUser('ada@example.com')).not.toBeNull();
    expect(okta.log.map((l) => l.status)).toEqual([200, 200, 200]);
  });

  it('waits for the reset on a 429 it could not foresee (someone else spent the budget) and then succeeds', async () => {
    okta.addUser('ada@example.com');
    okta.rateLimitPerMinute = 2;
    okta.rateLimitWindowMs = 1000;
    const neighbour = client();
    await neighbour.findUser('ada@example.com');
    await neighbour.findUser('ada@example.com');
    expect(await client().findUser('ada@example.com')).not.toBeNull();
    expect(okta.log.map((l) => l.status)).toEqual([200, 200, 429, 200]);
  });

  it('retries a 5xx, and reports Okta’s own error for what retrying cannot fix', async () => {
    okta.addUser('ada@example.com');
    okta.failNext(2, 503);
    expect(await client().findUser('ada@example.com')).not.toBeNull();
    const wrongToken = new OktaClient({ orgUrl: okta.url, auth: new SswsAuth('not-the-token'), timeoutMs: 2000 }, logger);
    await expect(wrongToken.findUser('ada@example.com')).rejects.toThrow(new OktaError(401, 'E0000011', 'Invalid token provided'));
  });

  it('gives up on calls that outlast the timeout, after its attempts, saying Okta did not answer', async () => {
    okta.addUser('ada@example.com');
    okta.latencyMs = 300;
    const impatient = client({ timeoutMs: 100, maxAttempts: 2 });
    await expect(impatient.findUser('ada@example.com')).rejects.toThrow(/no answer from .*timed out after 100 ms/);
    expect(okta.log.length).toBeLessThanOrEqual(2);
    // A slow answer inside the deadline is fine, on the same kept-alive connections.
    expect(await client({ timeoutMs: 1000 }).findUser('ada@example.com')).not.toBeNull();
  });
});
