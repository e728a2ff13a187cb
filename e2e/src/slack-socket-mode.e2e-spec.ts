import { readFileSync } from 'node:fs';
import { blockAction, GatehouseSystem, modalSubmission, slashCommand, viewSubmission, waitFor, type EnvelopeAnswer, type ServiceProcess, type SlackCall } from '@gatehouse/testing';
import { Client } from 'pg';

/**
 * Socket Mode: slack-bot opens the connection to (a fake of) Slack with the app-level token,
 * and Slack's deliveries arrive as envelopes on that WebSocket, never through the gateway.
 * The Slack journeys once more this way, then what only Socket Mode has: acknowledgements
 * carrying payloads, two replicas sharing the deliveries, reconnecting, and stopping for good.
 */
describe('Slack over Socket Mode: no inbound URL', () => {
  let system: GatehouseSystem;
  let db: Client;
  const socket = () => system.slack.socketMode;
  const acked = (answer: EnvelopeAnswer) => {
    if (!answer.acked) throw new Error('Slack got no acknowledgement within 3 s');
    return answer;
  };
  const statusOf = async (id: string) => (await db.query(`SELECT status FROM approval.access_requests WHERE id = $1`, [id])).rows[0]?.status as string | undefined;
  const approvalIn = (channel: string, id: string) =>
    waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === channel && String(c.args['blocks']).includes(id)), { what: `the approval message in ${channel}` });
  const ts = (call: SlackCall) => String(call.result?.['ts']);
  const requestIdWithReason = async (reason: string) =>
    waitFor(async () => (await db.query(`SELECT id FROM approval.access_requests WHERE reason = $1`, [reason])).rows[0]?.id as string | undefined, { what: `the request "${reason}"` });

  beforeAll(async () => {
    system = await GatehouseSystem.start('slacksocket', { serviceEnv: ({ slack }) => ({ 'slack-bot': { SLACK_APP_TOKEN: slack.appToken } }) });
    system.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', realName: 'Ada Lovelace' });
    system.slack.addUser({ id: 'U0DBA1', email: 'dba1@example.com' });
    system.slack.addUser({ id: 'U0DBA2', email: 'dba2@example.com' });
    system.slack.addUser({ id: 'U0EVE', email: 'eve@example.com' });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  it('connects out with the app-level token, and is ready only once connected', async () => {
    expect(socket().openConnections).toBe(1);
    expect(system.slack.callsOf('apps.connections.open')).toHaveLength(1);
    const ready = (await (await fetch(`${system.services['slack-bot'].url}/readyz`)).json()) as { checks: { name: string; status: string }[] };
    expect(ready.checks).toContainEqual(expect.objectContaining({ name: 'slack-socket-mode', status: 'up' }));
  });

  it('answers /access help in the acknowledgement', async () => {
    const answer = acked(await socket().deliver(slashCommand({ userId: 'U0ADA', text: 'help', triggerId: system.slack.issueTrigger() })));
    expect(answer.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('`/access` — ask for access') });
  });

  it('opens the request modal, shows a broken rule inside it, and makes the request it accepts', async () => {
    const trigger = system.slack.issueTrigger();
    acked(await socket().deliver(slashCommand({ userId: 'U0ADA', triggerId: trigger })));
    await waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: 'the modal opened' });

    const refused = acked(
      await socket().deliver(viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '3600' }, reason: { text: 'curious' } } })),
    );
    expect(refused.payload).toEqual({ response_action: 'errors', errors: { reason: 'the reason must start with the incident or change ticket, e.g. INC-1234' } });
    expect((await db.query(`SELECT count(*)::int AS n FROM approval.access_requests`)).rows[0].n).toBe(0);

    const accepted = acked(
      await socket().deliver(viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '3600' }, reason: { text: 'INC-8 over Socket Mode' } } })),
    );
    expect(accepted.payload).toBeUndefined();
    const id = await requestIdWithReason('INC-8 over Socket Mode');
    expect(await statusOf(id)).toBe('PENDING');
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['blocks']).includes('Cancel request')), { what: 'the requester DM' });
  });

  it("answers type-ahead with the flow's matching targets in the acknowledgement", async () => {
    const typed = (value: string) =>
      socket().send('interactive', {
        type: 'block_suggestion',
        team: { id: 'T0TEST', domain: 'gatehouse-test' },
        user: { id: 'U0ADA', username: 'u0ada', team_id: 'T0TEST' },
        api_app_id: 'A0GATEHOUSE',
        container: { type: 'view', view_id: 'V0MODAL' },
        action_id: 'target:production-database',
        block_id: 'target',
        value,
        view: { id: 'V0MODAL', type: 'modal', callback_id: 'gatehouse_request', private_metadata: JSON.stringify({ flow: 'production-database' }), state: { values: {} }, hash: 'h' },
      });
    expect(acked(await typed('PRIMARY')).payload).toEqual({ options: [expect.objectContaining({ value: 'read-write' })] });
    // Asked again with the same text, answered again: type-ahead is never taken for a resend.
    expect(acked(await typed('PRIMARY')).payload).toEqual({ options: [expect.objectContaining({ value: 'read-write' })] });
    expect(acked(await typed('nothing like it')).payload).toEqual({ options: [] });
  });

  it('decides from a click, refuses who may not, and takes a deny reason from its modal', async () => {
    const id = await requestIdWithReason('INC-8 over Socket Mode');
    const toDba1 = await approvalIn('D0DBA1', id);
    acked(await socket().deliver(blockAction({ userId: 'U0EVE', actionId: 'gatehouse_approve', value: id, channelId: 'D0DBA1', messageTs: ts(toDba1), triggerId: system.slack.issueTrigger() })));
    await waitFor(() => system.slack.callsOf('chat.postEphemeral').find((c) => c.args['user'] === 'U0EVE' && String(c.args['text']).includes('is not an approver')), { what: 'Eve told she may not' });
    expect(await statusOf(id)).toBe('PENDING');

    const trigger = system.slack.issueTrigger();
    acked(await socket().deliver(blockAction({ userId: 'U0DBA1', actionId: 'gatehouse_deny', value: id, channelId: 'D0DBA1', messageTs: ts(toDba1), triggerId: trigger })));
    const modal = await waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: 'the deny modal' });
    const privateMetadata = (JSON.parse(String(modal.args['view'])) as { private_metadata: string }).private_metadata;
    const empty = acked(await socket().deliver(modalSubmission({ userId: 'U0DBA1', callbackId: 'gatehouse_deny', privateMetadata, values: { reason: { text: ' ' } } })));
    expect(empty.payload).toEqual({ response_action: 'errors', errors: { reason: 'Say why, for the requester' } });
    acked(await socket().deliver(modalSubmission({ userId: 'U0DBA1', callbackId: 'gatehouse_deny', privateMetadata, values: { reason: { text: 'not during the freeze' } } })));
    expect(await statusOf(id)).toBe('DENIED');
  });

  describe('with two slack-bot replicas connected', () => {
    let replica: ServiceProcess;
    beforeAll(async () => {
      replica = await system.startReplica('slack-bot');
      await waitFor(() => socket().openConnections === 2, { what: 'both replicas connected' });
    });
    afterAll(async () => {
      await replica?.stop();
      await waitFor(() => socket().openConnections === 1, { what: 'the replica gone' });
    });

    it('spreads deliveries over both, each with exactly one effect, and a resent envelope with none', async () => {
      const reasons = Array.from({ length: 6 }, (_, i) => `INC-9${i} two replicas`);
      const answers = await Promise.all(
        reasons.map(async (reason) =>
          acked(await socket().deliver(viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '3600' }, reason: { text: reason } } }))),
        ),
      );
      expect(new Set(answers.map((a) => a.connection)).size).toBe(2);
      const { rows } = await db.query(`SELECT reason, count(*)::int AS n FROM approval.access_requests WHERE reason = ANY($1) GROUP BY reason`, [reasons]);
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => r.n === 1)).toBe(true);

      // The same click reaching one replica, then (a retry) the other: one deny modal, not two.
      const id = await requestIdWithReason(reasons[0] as string);
      const toDba1 = await approvalIn('D0DBA1', id);
      const trigger = system.slack.issueTrigger();
      const click = blockAction({ userId: 'U0DBA1', actionId: 'gatehouse_deny', value: id, channelId: 'D0DBA1', messageTs: ts(toDba1), triggerId: trigger });
      const [first, second] = socket().connectionIds();
      acked(await socket().deliver(click, { connection: first }));
      acked(await socket().deliver(click, { connection: second, retryAttempt: 1, retryReason: 'timeout' }));
      await waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: 'the deny modal' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(system.slack.calls.filter((c) => c.method === 'views.open' && c.args['trigger_id'] === trigger)).toHaveLength(1);
    });
  });

  it('reconnects when Slack asks it to (refresh_requested) and when the network drops', async () => {
    const opened = system.slack.callsOf('apps.connections.open').length;
    socket().disconnectAll('refresh_requested');
    await waitFor(() => system.slack.callsOf('apps.connections.open').length > opened && socket().openConnections === 1, { what: 'a new connection after the refresh', timeoutMs: 20000 });
    expect(acked(await socket().deliver(slashCommand({ userId: 'U0ADA', text: 'help', triggerId: system.slack.issueTrigger() }))).payload).toMatchObject({ response_type: 'ephemeral' });

    const before = system.slack.callsOf('apps.connections.open').length;
    socket().dropAll();
    await waitFor(() => system.slack.callsOf('apps.connections.open').length > before && socket().openConnections === 1, { what: 'a new connection after the drop', timeoutMs: 30000 });
    expect(acked(await socket().deliver(slashCommand({ userId: 'U0ADA', text: 'help', triggerId: system.slack.issueTrigger() }))).payload).toMatchObject({ response_type: 'ephemeral' });
  });

  it('stops, and says what to do, when the app-level token is refused', async () => {
    const wrong = await system.startReplica('slack-bot', { SLACK_APP_TOKEN: 'xapp-1-A0TEST-not-the-token' }, { waitUntil: 'live' });
    try {
      const readiness = await waitFor(
        async () => {
          const body = (await (await fetch(`${wrong.url}/readyz`)).json()) as { checks: { name: string; status: string; error?: string }[] };
          return body.checks.find((c) => c.name === 'slack-socket-mode' && c.error?.startsWith('Socket Mode stopped'));
        },
        { what: 'readiness to report Socket Mode stopped', timeoutMs: 20000 },
      );
      expect(readiness.error).toContain('Slack said invalid_auth');
      expect(readiness.error).toContain('App-Level Tokens');
      expect(readFileSync(wrong.logFile, 'utf8')).toContain('Socket Mode stopped (Slack said invalid_auth)');
    } finally {
      await wrong.stop();
    }
  });

  it('stops for good, and says what to do, when Socket Mode is turned off for the app (link_disabled)', async () => {
    const opened = system.slack.callsOf('apps.connections.open').length;
    socket().disconnectAll('link_disabled');
    const bot = system.services['slack-bot'];
    await waitFor(
      async () => {
        const body = (await (await fetch(`${bot.url}/readyz`)).json()) as { checks: { name: string; error?: string }[] };
        return body.checks.find((c) => c.name === 'slack-socket-mode')?.error?.includes('Socket Mode is turned off for this Slack app');
      },
      { what: 'readiness to report link_disabled' },
    );
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(socket().openConnections).toBe(0);
    expect(system.slack.callsOf('apps.connections.open')).toHaveLength(opened);
    expect(readFileSync(bot.logFile, 'utf8')).toContain('(Slack said link_disabled)');
  });
});
