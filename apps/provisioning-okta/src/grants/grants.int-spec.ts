import { waitFor } from '@gatehouse/testing';
import { ProvisioningFixture } from '../test/provisioning-fixture';

const GROUP = '00gprdbreadonly00001';

describe('provisioning-okta grants and revocations against the fake Okta', () => {
  let fx: ProvisioningFixture;

  beforeAll(async () => {
    fx = await ProvisioningFixture.start('grants', { prepare: (okta) => okta.addGroup(GROUP), env: { OKTA_OUTAGE_GRACE_MS: '3000' } });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const report = (grantId: string) => waitFor(() => fx.reports(grantId)[0], { what: `the report for ${grantId}` });
  const grantCommand = (email: string, group = GROUP) => fx.grantCommand(email, group);

  it('adds the membership, records the grant, and does not call Okta again for a redelivered command', async () => {
    fx.okta.addUser('ada@example.com');
    const grant = grantCommand('Ada@Example.com');
    await fx.send(grant);
    expect((await report(grant.data.grantId)).type).toBe('provisioning.granted');
    expect(fx.okta.isMember(GROUP, 'ada@example.com')).toBe(true);
    const puts = () => fx.okta.log.filter((l) => l.method === 'PUT').length;
    const before = puts();
    await fx.send(grant);
    const marker = grantCommand('ada@example.com');
    await fx.send(marker);
    await report(marker.data.grantId);
    expect(puts()).toBe(before + 1); // the marker's call, none for the redelivery
    expect(fx.reports(grant.data.grantId)).toHaveLength(1);
  });

  it('fails a grant for someone Okta does not know, or a group that does not exist, saying what to fix', async () => {
    const stranger = grantCommand('stranger@example.com');
    await fx.send(stranger);
    expect(await report(stranger.data.grantId)).toMatchObject({
      type: 'provisioning.grant_failed',
      data: { cause: expect.stringContaining('Okta has no user with login or email stranger@example.com (E0000007)') },
    });
    fx.okta.addUser('bea@example.com');
    const badGroup = grantCommand('bea@example.com', '00gdoesnotexist00001');
    await fx.send(badGroup);
    expect(await report(badGroup.data.grantId)).toMatchObject({ type: 'provisioning.grant_failed', data: { cause: expect.stringContaining('fix the target') } });
  });

  it('finds people whose Okta login is not their email by searching on the email, and refuses to guess between two', async () => {
    const eve = fx.okta.addUser('eve@example.com', 'eve', 'eve.adams');
    const grant = grantCommand('eve@example.com');
    await fx.send(grant);
    expect((await report(grant.data.grantId)).type).toBe('provisioning.granted');
    expect(fx.okta.isMember(GROUP, 'eve.adams')).toBe(true);
    expect(fx.okta.log.some((l) => l.method === 'GET' && l.path === '/api/v1/users')).toBe(true); // the search
    expect(eve.profile.login).toBe('eve.adams');

    fx.okta.addUser('shared@example.com', 'one', 'shared.one');
    fx.okta.addUser('shared@example.com', 'two', 'shared.two');
    const ambiguous = grantCommand('shared@example.com');
    await fx.send(ambiguous);
    expect(await report(ambiguous.data.grantId)).toMatchObject({
      type: 'provisioning.grant_failed',
      data: { cause: expect.stringMatching(/2 Okta users have the email shared@example.com .*OKTA_LOGIN_OVERRIDES/) },
    });
    expect(fx.okta.isMember(GROUP, 'shared.one') || fx.okta.isMember(GROUP, 'shared.two')).toBe(false);
  });

  it('rides out Okta 5xx errors within its retry budget', async () => {
    fx.okta.addUser('cy@example.com');
    fx.okta.failNext(2, 503);
    const grant = grantCommand('cy@example.com');
    await fx.send(grant);
    expect((await report(grant.data.grantId)).type).toBe('provisioning.granted');
    expect(fx.okta.isMember(GROUP, 'cy@example.com')).toBe(true);
  });

  it('keeps a membership another active grant still needs, and removes it with the last one', async () => {
    fx.okta.addUser('dee@example.com');
    const first = grantCommand('dee@example.com');
    const extension = grantCommand('dee@example.com');
    await fx.send(first, extension);
    await report(first.data.grantId);
    await report(extension.data.grantId);

    await fx.send(fx.revokeCommand(first));
    await waitFor(() => fx.reports(first.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the first revocation' });
    expect(fx.okta.isMember(GROUP, 'dee@example.com')).toBe(true);

    await fx.send(fx.revokeCommand(extension));
    await waitFor(() => fx.reports(extension.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the last revocation' });
    expect(fx.okta.isMember(GROUP, 'dee@example.com')).toBe(false);
  });

  it('counts a membership someone already removed by hand as revoked', async () => {
    const eve = fx.okta.addUser('eve@example.com');
    const grant = grantCommand('eve@example.com');
    await fx.send(grant);
    await report(grant.data.grantId);
    fx.okta.removeMember(GROUP, eve.id);
    await fx.send(fx.revokeCommand(grant));
    await waitFor(() => fx.reports(grant.data.grantId).some((e) => e.type === 'provisioning.revoked'), { what: 'the revocation' });
  });

  it('waits out Okta failing for a while, then grants: no failed grant for a blip', async () => {
    fx.okta.addUser('hal@example.com');
    fx.okta.failNext(7, 503); // more than the client's 5 tries: the command itself is tried again
    const grant = grantCommand('hal@example.com');
    await fx.send(grant);
    expect(await waitFor(() => fx.reports(grant.data.grantId)[0], { what: 'the report once Okta answers again', timeoutMs: 60000 })).toMatchObject({ type: 'provisioning.granted' });
    expect(fx.okta.isMember(GROUP, 'hal@example.com')).toBe(true);
    expect(fx.reports(grant.data.grantId)).toHaveLength(1);
  });

  it('gives up after its retry budget with a cause a person understands, for a grant and for a revocation', async () => {
    fx.okta.addUser('flo@example.com');
    fx.okta.failNext(1000, 503);
    const grant = grantCommand('flo@example.com');
    await fx.send(grant);
    expect(await waitFor(() => fx.reports(grant.data.grantId)[0], { what: 'the report after OKTA_OUTAGE_GRACE_MS', timeoutMs: 60000 })).toMatchObject({
      type: 'provisioning.grant_failed',
      data: { cause: expect.stringMatching(/^Okta could not add flo@example.com to group 00gprdbreadonly00001: Okta 503.*\(tried for 3 s\)$/) },
    });
    fx.okta.failNext(0);

    fx.okta.addUser('gus@example.com');
    const active = grantCommand('gus@example.com');
    await fx.send(active);
    await report(active.data.grantId);
    fx.okta.failNext(10, 502);
    await fx.send(fx.revokeCommand(active));
    const failed = await waitFor(() => fx.reports(active.data.grantId).find((e) => e.type === 'provisioning.revoke_failed'), { what: 'revoke_failed' });
    expect(failed.data.cause).toMatch(/^Okta could not remove gus@example.com from group/);
    expect(fx.okta.isMember(GROUP, 'gus@example.com')).toBe(true); // still granted; approval will ask again
    fx.okta.failNext(0);
  });
});
