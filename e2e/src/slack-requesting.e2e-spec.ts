import { TOPICS } from '@gatehouse/contracts';
import { GatehouseSystem, postToSlackDoor, slashCommand, TopicReader, viewSubmission, waitFor, type SlackPost } from '@gatehouse/testing';
import { Client } from 'pg';

/**
 * Asking for access in Slack, through the gateway's signed door, Kafka, slack-bot's Bolt app
 * and approval, with the fake Slack Web API recording what Gatehouse sent.
 */
describe('Slack: /access, the request modal, and the signed door', () => {
  let system: GatehouseSystem;
  let reader: TopicReader;
  let db: Client;
  const door = () => `${system.gatewayUrl}/slack/events`;
  const post = (delivery: SlackPost, override: Parameters<typeof postToSlackDoor>[3] = {}) => postToSlackDoor(door(), system.slack.signingSecret, delivery, override);

  beforeAll(async () => {
    system = await GatehouseSystem.start('slack');
    system.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', realName: 'Ada Lovelace' });
    system.slack.addUser({ id: 'U0NOMAIL' });
    reader = await new TopicReader(system.env['KAFKA_BROKERS']?.split(',') ?? []).start([`${system.env['KAFKA_TOPIC_PREFIX']}${TOPICS.slackInbound}`]);
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await reader?.stop();
    await system?.stop();
  });

  it('refuses what Slack did not sign, and passes nothing on', async () => {
    const help = slashCommand({ userId: 'U0ADA', text: 'help', triggerId: system.slack.issueTrigger() });
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await post(help, { signature: 'v0=0000' }),
      await post(help, { timestamp: String(now - 301) }),
      await post(help, { body: help.body.replace('help', 'list') }),
      await fetch(door(), { method: 'POST', headers: { 'content-type': help.contentType }, body: help.body }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/^not a request from Slack: /);
    }
    // The one signed delivery after them is the only one on the topic.
    expect((await post(help)).status).toBe(200);
    await waitFor(() => reader.messages.length >= 1, { what: 'the signed delivery on the Slack topic' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reader.messages).toHaveLength(1);
  });

  it('answers /access help in the acknowledgement', async () => {
    const response = await post(slashCommand({ userId: 'U0ADA', text: 'help', triggerId: system.slack.issueTrigger() }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('`/access` — ask for access') });
  });

  it('opens the request modal with what may be requested', async () => {
    const trigger = system.slack.issueTrigger();
    expect((await post(slashCommand({ userId: 'U0ADA', triggerId: trigger }))).status).toBe(200);
    const [open] = await waitFor(() => (system.slack.callsOf('views.open').length ? system.slack.callsOf('views.open') : undefined), { what: 'views.open' });
    expect(open.args['trigger_id']).toBe(trigger);
    const view = JSON.parse(String(open.args['view'])) as { callback_id: string; blocks: { block_id: string; element: { options?: { value: string }[] } }[] };
    expect(view.callback_id).toBe('gatehouse_request');
    expect(view.blocks.find((b) => b.block_id === 'target')?.element.options?.map((o) => o.value)).toContain('production-database/read-only');
  });

  it('shows the rule a request breaks inside the modal, and makes nothing', async () => {
    const response = await post(
      viewSubmission({
        userId: 'U0ADA',
        callbackId: 'gatehouse_request',
        values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '3600' }, reason: { text: 'curious' } },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { reason: 'the reason must start with the incident or change ticket, e.g. INC-1234' } });
    expect((await db.query(`SELECT count(*)::int AS n FROM approval.access_requests`)).rows[0].n).toBe(0);
  });

  it('makes the request for the Slack user who submitted it, closes the modal and DMs them', async () => {
    const response = await post(
      viewSubmission({
        userId: 'U0ADA',
        callbackId: 'gatehouse_request',
        values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '3600' }, reason: { text: 'INC-42 replica lag' } },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const { rows } = await db.query(`SELECT requester, requested_by, status, reason FROM approval.access_requests`);
    expect(rows).toEqual([
      {
        requester: { email: 'ada@example.com', slackUserId: 'U0ADA', displayName: 'Ada Lovelace' },
        requested_by: { kind: 'person', channel: 'slack', person: { email: 'ada@example.com', slackUserId: 'U0ADA', displayName: 'Ada Lovelace' } },
        status: 'PENDING',
        reason: 'INC-42 replica lag',
      },
    ]);
    const [message] = await waitFor(() => (system.slack.callsOf('chat.postMessage').length ? system.slack.callsOf('chat.postMessage') : undefined), { what: 'the DM' });
    expect(message.args['channel']).toBe('D0ADA');
    expect(String(message.args['text'])).toContain('Read-only (replica) (production-database) for 1h');
    expect(String(message.args['blocks'])).toContain('Cancel request');
  });

  it('tells someone it cannot map what to ask their admin', async () => {
    const response = await post(slashCommand({ userId: 'U0NOMAIL', triggerId: system.slack.issueTrigger() }));
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('add `U0NOMAIL=<your work email>` to SLACK_USER_OVERRIDES') });
  });
});
