import { GatehouseSystem, waitFor } from '@gatehouse/testing';

/**
 * A burst the system cannot take (approval has stopped answering, as when it is saturated):
 * the gateway works on as many requests as its limit allows, lets a couple wait briefly, and
 * turns the rest away at once with 503 and Retry-After — nothing piles up, and nothing it took
 * is lost.
 */
describe('the gateway under a burst it cannot take', () => {
  let system: GatehouseSystem;
  let token: string;

  beforeAll(async () => {
    system = await GatehouseSystem.start('overload', {
      serviceEnv: () => ({
        gateway: { GATEWAY_ADMISSION_MIN_IN_FLIGHT: '2', GATEWAY_ADMISSION_MAX_IN_FLIGHT: '4', GATEWAY_ADMISSION_QUEUE: '2', GATEWAY_ADMISSION_QUEUE_MS: '1000', QUERY_TIMEOUT_MS: '10000' },
      }),
    });
    token = await system.mintToken({ for: 'ada@example.com' }, ['requests:read', 'requests:write']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const post = (i: number) =>
    fetch(`${system.gatewayUrl}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: `INC-${i} burst` }),
    });

  it('takes what its limit allows, turns the rest away with 503 and Retry-After, and loses nothing it took', async () => {
    await system.services.approval.stop();
    const pending = Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await post(i);
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { code?: string; message?: string; id?: string } };
      }),
    );
    // While the four are still worked on (approval is down, they wait for it), two more wait for
    // a slot; with the queue full too, one more, its body not even JSON, is turned away as busy,
    // not refused as bad input: the gate answers before anything reads the body.
    // (The burst's own two waited their second and were turned away by then.)
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const waiting = [post(20), post(21)];
    await waitFor(async () => /gatehouse_admission_queued\{service="gateway"\} 2/.test(await (await fetch(`${system.gatewayUrl}/metrics`)).text()), { what: 'two requests waiting for a slot', timeoutMs: 5000, intervalMs: 20 });
    const unread = await fetch(`${system.gatewayUrl}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{not json' });
    expect(unread.status).toBe(503);
    expect(await unread.json()).toMatchObject({ code: 'overloaded' });
    expect((await Promise.all(waiting)).map((response) => response.status)).toEqual([503, 503]);
    const answers = await pending;
    const taken = answers.filter((a) => a.status === 202);
    const shed = answers.filter((a) => a.status === 503);
    // Four worked on (their commands are safe in Kafka: 202), sixteen turned away; nothing else.
    expect(taken).toHaveLength(4);
    expect(shed).toHaveLength(16);
    for (const answer of shed) {
      expect(answer.retryAfter).toBe('1');
      expect(answer.body).toMatchObject({ code: 'overloaded', message: expect.stringMatching(/^Gatehouse is busy \(\d+ requests in progress, limit \d+\); retry in a second$/) });
    }
    const metrics = await (await fetch(`${system.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_admission_shed_total\{service="gateway"\} 19/);

    // Approval back: what was taken is processed, and new requests are let in again.
    await system.services.approval.start();
    for (const { body } of taken) {
      await waitFor(async () => (await fetch(`${system.gatewayUrl}/api/v1/requests/${body.id}`, { headers: { authorization: `Bearer ${token}` } })).status === 200, { what: `request ${body.id} stored`, timeoutMs: 30000 });
    }
    for (let i = 0; i < 3; i++) expect((await post(100 + i)).status).toBe(201);
  }, 120_000);
});
