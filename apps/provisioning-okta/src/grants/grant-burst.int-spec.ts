import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { waitFor } from '@gatehouse/testing';
import { ProvisioningFixture } from '../test/provisioning-fixture';

const GROUP = '00gburstgroup0000001';
const BURST = 1000;

/**
 * 1,000 approvals at once against Okta's limit of 600 calls per window per endpoint family
 * (the window shortened from a minute to 5 s so the test takes seconds, not minutes): every
 * grant must succeed, and the shared budget must keep 429s to a handful.
 */
describe('a burst of 1,000 grants under a 600-per-window rate limit', () => {
  let fx: ProvisioningFixture;

  beforeAll(async () => {
    fx = await ProvisioningFixture.start('burst', {
      prepare: (okta) => {
        okta.addGroup(GROUP);
        for (let i = 0; i < BURST; i++) okta.addUser(`user${i}@example.com`);
        okta.rateLimitPerMinute = 600;
        okta.rateLimitWindowMs = 5000;
      },
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('grants all of them, with no storm of 429s', async () => {
    const commands = Array.from({ length: BURST }, (_, i) => fx.grantCommand(`user${i}@example.com`, GROUP));
    await fx.send(...commands);
    const reports = await waitFor(
      () => {
        const all = fx.reader.on(fx.testEnv.topicPrefix + TOPICS.provisioningEvents).map((m) => m.json<Envelope>());
        return all.length >= BURST ? all : undefined;
      },
      { what: `${BURST} reports`, timeoutMs: 120000, intervalMs: 500 },
    );
    expect(reports.filter((r) => r.type === 'provisioning.granted')).toHaveLength(BURST);
    expect(reports.filter((r) => r.type === 'provisioning.grant_failed')).toHaveLength(0);
    for (let i = 0; i < BURST; i += 97) expect(fx.okta.isMember(GROUP, `user${i}@example.com`)).toBe(true);
    const tooMany = fx.okta.log.filter((l) => l.status === 429).length;
    expect(tooMany).toBeLessThan(fx.okta.log.length / 100);
  });
});
