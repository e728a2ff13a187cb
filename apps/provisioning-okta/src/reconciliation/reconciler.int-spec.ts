import { waitFor } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { ProvisioningFixture } from '../test/provisioning-fixture';
import { Reconciler } from './reconciler';

const GROUP = '00gprdbreadonly00001';

describe('reconciliation between the ledger and Okta', () => {
  let fx: ProvisioningFixture;

  beforeAll(async () => {
    fx = await ProvisioningFixture.start('reconcile', { env: { RECONCILE_INTERVAL_MS: '0' }, prepare: (okta) => okta.addGroup(GROUP) });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  async function granted(email: string): Promise<string> {
    fx.okta.addUser(email);
    const grant = fx.grantCommand(email, GROUP);
    await fx.send(grant);
    await waitFor(() => fx.reports(grant.data.grantId).some((e) => e.type === 'provisioning.granted'), { what: `the grant for ${email}` });
    return grant.data.grantId;
  }

  it('removes a membership that outlived its grant, marks one removed by hand as ended, and touches nothing else', async () => {
    const overdue = await granted('late@example.com');
    const removedByHand = await granted('gone@example.com');
    const current = await granted('current@example.com');
    const outsider = fx.okta.addUser('not-ours@example.com');
    fx.okta.addMember(GROUP, outsider.id);
    const db = fx.app.get(DataSource);
    await db.query(`UPDATE provisioning.grants SET expires_at = now() - interval '1 hour' WHERE grant_id = $1`, [overdue]);
    const [{ okta_user_id: goneUser }] = await db.query(`SELECT okta_user_id FROM provisioning.grants WHERE grant_id = $1`, [removedByHand]);
    fx.okta.removeMember(GROUP, goneUser);

    expect(await fx.app.get(Reconciler).run()).toEqual({ removedOverdue: 1, removedOutside: 1 });

    expect(fx.okta.isMember(GROUP, 'late@example.com')).toBe(false);
    expect(fx.okta.isMember(GROUP, 'current@example.com')).toBe(true);
    expect(fx.okta.isMember(GROUP, 'not-ours@example.com')).toBe(true);
    await waitFor(() => fx.reports(overdue).some((e) => e.type === 'provisioning.reconciled'), { what: 'the audited fix' });
    expect(fx.reports(overdue).find((e) => e.type === 'provisioning.reconciled')?.data.action).toBe('removed_overdue_membership');
    await waitFor(() => fx.reports(removedByHand).some((e) => e.type === 'provisioning.revoked'), { what: 'approval to be told' });
    expect(fx.reports(removedByHand).find((e) => e.type === 'provisioning.reconciled')?.data.action).toBe('membership_removed_outside');
    const states = await db.query(`SELECT grant_id, state FROM provisioning.grants WHERE grant_id = ANY($1::uuid[]) ORDER BY state`, [[overdue, removedByHand, current]]);
    expect(Object.fromEntries(states.map((r: { grant_id: string; state: string }) => [r.grant_id, r.state]))).toEqual({
      [overdue]: 'revoked',
      [removedByHand]: 'removed_outside',
      [current]: 'granted',
    });

    // A second pass finds nothing left to mend.
    expect(await fx.app.get(Reconciler).run()).toEqual({ removedOverdue: 0, removedOutside: 0 });
  });
});
