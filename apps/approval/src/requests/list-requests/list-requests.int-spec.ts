import type { Principal } from '@gatehouse/contracts';
import { personPrincipal } from '@gatehouse/testing';
import { ApprovalFixture } from '../../test/approval-fixture';

/**
 * Listing while Okta cannot be asked (no provisioning-okta answers here): what can be known is
 * still listed — one's own requests, and those of flows that name the person — and the reply
 * says what is left out and why, instead of refusing the whole list.
 */
describe('approval: listing requests while the directory is unreachable', () => {
  let fx: ApprovalFixture;
  const dora = personPrincipal('dora@example.com');

  beforeAll(async () => {
    fx = await ApprovalFixture.start();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  const list = async (principal: Principal, requesterEmail?: string) => {
    const reply = await fx.requester.request('access.request.list', principal.actor.kind === 'person' ? principal.actor.person.email : 'x', { principal, requesterEmail, limit: 50 }, { timeoutMs: 4000 });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    return { ids: reply.requests.map((r) => r.id), partial: reply.partial };
  };

  it('lists what it can know and says what it leaves out', async () => {
    // Ada's request waits for group-approved's approvers, an Okta group; Dora's for the DBAs the flows file names.
    const adas = await fx.create({ flow: 'group-approved', target: 'console', durationSeconds: 3600, reason: '', principal: personPrincipal('ada@example.com') }, 2500);
    const doras = await fx.create({ principal: dora });
    if (adas.outcome !== 'created' || doras.outcome !== 'created') throw new Error(JSON.stringify({ adas, doras }));

    const forDora = await list(dora);
    expect(forDora.ids).toContain(doras.request.id);
    // Dora might approve Ada's request through the group: unknowable now, so left out, and said.
    expect(forDora.ids).not.toContain(adas.request.id);
    expect(forDora.partial).toMatch(/^requests you may approve through an Okta group are not listed: cannot check Okta group membership/);

    // A DBA the flow names sees Dora's request to decide, Okta or not.
    expect((await list(personPrincipal('dba1@example.com'))).ids).toContain(doras.request.id);

    // Her own requests need no directory at all: nothing is left out.
    const own = await list(dora, 'dora@example.com');
    expect(own).toEqual({ ids: [doras.request.id], partial: undefined });
  });
});
