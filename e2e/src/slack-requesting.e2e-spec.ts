import { TOPICS } from '@gatehouse/contracts';
import { blockAction, buttonValue, GatehouseSystem, interaction, modalSubmission, postToSlackDoor, signSlackBody, slashCommand, TopicReader, viewSubmission, waitFor, type SlackCall, type SlackPost } from '@gatehouse/testing';
import { Client } from 'pg';

function signedHeaders(secret: string, body: string): Record<string, string> {
  const { signature, timestamp } = signSlackBody(secret, body);
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp };
}

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
    system.slack.addUser({ id: 'U0DBA1', email: 'dba1@example.com' });
    system.slack.addUser({ id: 'U0DBA2', email: 'dba2@example.com' });
    system.slack.addUser({ id: 'U0EVE', email: 'eve@example.com' });
    // Approved requests are really granted: Okta knows Ada and the group.
    system.okta.addGroup('00gprdbreadonly00001');
    system.okta.addUser('ada@example.com');
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
    // Several flows: the flow comes first (its targets follow the choice; see slack-request-modal.e2e-spec.ts).
    expect(view.blocks.find((b) => b.block_id === 'flow')?.element.options?.map((o) => o.value)).toContain('production-database');
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
        requested_by: { kind: 'person', channel: 'slack', identity: 'slack-profile', person: { email: 'ada@example.com', slackUserId: 'U0ADA', displayName: 'Ada Lovelace' } },
        status: 'PENDING',
        reason: 'INC-42 replica lag',
      },
    ]);
    const message = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA'), { what: 'the DM' });
    expect(String(message.args['text'])).toContain('Read-only (replica) (production-database) for 1h');
    expect(String(message.args['blocks'])).toContain('Cancel request');
  });

  it('tells someone it cannot map what to ask their admin', async () => {
    const response = await post(slashCommand({ userId: 'U0NOMAIL', triggerId: system.slack.issueTrigger() }));
    expect(await response.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('add `U0NOMAIL=<your work email>` to SLACK_USER_OVERRIDES') });
  });

  /** The approval message posted to a channel about a request. */
  const approvalIn = (channel: string, requestId: string): Promise<SlackCall> =>
    waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === channel && String(c.args['blocks']).includes(`"value":"${requestId}"`)), {
      what: `the approval message in ${channel}`,
    });
  const ts = (call: SlackCall) => String(call.result?.['ts']);
  const click = (userId: string, actionId: string, requestId: string, channelId: string, messageTs: string) =>
    post(blockAction({ userId, actionId, value: requestId, channelId, messageTs, triggerId: system.slack.issueTrigger() }));
  const ephemeralTo = (user: string, text: string) =>
    waitFor(() => system.slack.callsOf('chat.postEphemeral').find((c) => c.args['user'] === user && String(c.args['text']).includes(text)), { what: `an ephemeral "${text}" to ${user}` });
  const statusOf = async (id: string) => (await db.query(`SELECT status FROM approval.access_requests WHERE id = $1`, [id])).rows[0]?.status as string;

  it('asks each approver by DM; one click decides, the others are told who did, and refusals say why', async () => {
    const id = (await db.query(`SELECT id FROM approval.access_requests WHERE requester_email = 'ada@example.com' ORDER BY created_at LIMIT 1`)).rows[0].id as string;
    const [toDba1, toDba2] = await Promise.all([approvalIn('D0DBA1', id), approvalIn('D0DBA2', id)]);
    expect(String(toDba1.args['blocks'])).toContain('gatehouse_approve');
    expect(String(toDba1.args['text'])).toContain('ada@example.com asks for Read-only (replica) (production-database) for 1h');

    expect((await click('U0EVE', 'gatehouse_approve', id, 'D0DBA1', ts(toDba1))).status).toBe(200);
    await ephemeralTo('U0EVE', 'eve@example.com is not an approver of flow "production-database"');
    await click('U0ADA', 'gatehouse_approve', id, 'D0DBA1', ts(toDba1));
    await ephemeralTo('U0ADA', 'ada@example.com is not an approver');
    expect(await statusOf(id)).toBe('PENDING');

    await click('U0DBA1', 'gatehouse_approve', id, 'D0DBA1', ts(toDba1));
    const updated = await waitFor(() => system.slack.callsOf('chat.update').find((c) => c.args['channel'] === 'D0DBA1' && c.args['ts'] === ts(toDba1)), { what: 'the clicked message updated' });
    expect(String(updated.args['text'])).toContain('Approved by dba1@example.com');
    expect(String(updated.args['blocks'])).not.toContain('gatehouse_approve');
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === ts(toDba1) && String(c.args['text']).includes('<@U0DBA1> approved — 1 of 1')), { what: 'the thread reply' });
    expect(await statusOf(id)).not.toBe('PENDING');

    // Every copy follows the request: dba2's, never clicked, shows the approval and then the grant.
    const granted = await waitFor(
      () => system.slack.callsOf('chat.update').find((c) => c.args['channel'] === 'D0DBA2' && c.args['ts'] === ts(toDba2) && String(c.args['text']).includes('granted until')),
      { what: 'the other copy updated to granted', timeoutMs: 20000 },
    );
    expect(String(granted.args['text'])).toContain('Approved by dba1@example.com; granted until ');
    expect(String(granted.args['blocks'])).not.toContain('gatehouse_approve');
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['text']).startsWith(':white_check_mark: You have Read-only (replica) (production-database) until ')), {
      what: 'the requester told access is granted',
    });

    await click('U0DBA2', 'gatehouse_approve', id, 'D0DBA2', ts(toDba2));
    await ephemeralTo('U0DBA2', 'already approved by dba1@example.com at ');
  });

  it('answers a click at once even while slack-bot is down, and the click takes effect when it is back', async () => {
    const created = await post(
      viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '1800' }, reason: { text: 'INC-77 while slack-bot sleeps' } } }),
    );
    expect(created.status).toBe(200);
    const id = await waitFor(async () => (await db.query(`SELECT id FROM approval.access_requests WHERE reason = 'INC-77 while slack-bot sleeps'`)).rows[0]?.id as string | undefined, { what: 'the request' });
    const toDba1 = await approvalIn('D0DBA1', id);
    await system.services['slack-bot'].stop();
    try {
      // Slack reads nothing from a click's answer: the gateway answers once Kafka holds the click.
      expect((await click('U0DBA1', 'gatehouse_approve', id, 'D0DBA1', ts(toDba1))).status).toBe(200);
      expect(await statusOf(id)).toBe('PENDING');
    } finally {
      await system.services['slack-bot'].start();
    }
    await waitFor(async () => (await statusOf(id)) !== 'PENDING', { what: 'the click decided after slack-bot came back', timeoutMs: 30000 });
    const decisions = (await db.query(`SELECT approver_email FROM approval.decisions WHERE request_id = $1`, [id])).rows;
    expect(decisions).toEqual([{ approver_email: 'dba1@example.com' }]);
  });

  it('asks for a reason to deny, in a modal, and shows it', async () => {
    const created = await post(
      viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-write' }, durationSeconds: { selected: '3600' }, reason: { text: 'CHG-7 schema change' } } }),
    );
    expect(created.status).toBe(200);
    const id = (await db.query(`SELECT id FROM approval.access_requests WHERE target = 'read-write'`)).rows[0].id as string;
    const toDba1 = await approvalIn('D0DBA1', id);
    await click('U0DBA1', 'gatehouse_deny', id, 'D0DBA1', ts(toDba1));
    const modal = await waitFor(() => system.slack.callsOf('views.open').find((c) => String(c.args['view']).includes('gatehouse_deny')), { what: 'the deny modal' });
    const metadata = (JSON.parse(String(modal.args['view'])) as { private_metadata: string }).private_metadata;
    const empty = await post(modalSubmission({ userId: 'U0DBA1', callbackId: 'gatehouse_deny', privateMetadata: metadata, values: { reason: { text: ' ' } } }));
    expect(await empty.json()).toEqual({ response_action: 'errors', errors: { reason: 'Say why, for the requester' } });
    const denied = await post(modalSubmission({ userId: 'U0DBA1', callbackId: 'gatehouse_deny', privateMetadata: metadata, values: { reason: { text: 'not during the freeze' } } }));
    expect(denied.status).toBe(200);
    expect(await statusOf(id)).toBe('DENIED');
    const updated = await waitFor(() => system.slack.callsOf('chat.update').find((c) => c.args['ts'] === ts(toDba1)), { what: 'the message updated' });
    expect(String(updated.args['text'])).toContain('Denied by dba1@example.com: not during the freeze');
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['text']).includes('was denied by dba1@example.com: not during the freeze')), {
      what: 'the requester told why',
    });
  });

  it('takes deliveries through the relay with a slack:relay token, bare or Bearer, and acts as the relayed Slack user', async () => {
    const [relayToken, otherToken] = await Promise.all([
      system.mintToken({ service: 'okta-workflow' }, ['slack:relay']),
      system.mintToken({ service: 'reporting' }, ['requests:read']),
    ]);
    const relay = (headers: Record<string, string>, body: string, contentType = 'application/json') =>
      fetch(`${system.gatewayUrl}/slack/relay`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    const submission = viewSubmission({
      userId: 'U0ADA',
      callbackId: 'gatehouse_request',
      values: { target: { selected: 'aws-admin/admin' }, durationSeconds: { selected: '3600' }, reason: { text: 'CHG-9 relayed' } },
    });
    const payload = new URLSearchParams(submission.body).get('payload') ?? '';

    const missing = await relay({}, payload);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { message: string }).message).toContain('slack:relay');
    const wrongScope = await relay({ authorization: `Bearer ${otherToken}` }, payload);
    expect(wrongScope.status).toBe(403);
    expect(((await wrongScope.json()) as { message: string }).message).toContain('may not relay Slack deliveries');
    const badSignature = await relay({ authorization: relayToken, 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)) }, payload);
    expect(badSignature.status).toBe(401);

    // The bare token, as an Okta Workflows custom header sends it, with the payload as JSON.
    const relayed = await relay({ authorization: relayToken }, payload);
    expect(relayed.status).toBe(200);
    const { rows } = await db.query(`SELECT requested_by FROM approval.access_requests WHERE reason = 'CHG-9 relayed'`);
    expect(rows).toEqual([{ requested_by: { kind: 'person', channel: 'relay', identity: 'slack-profile', tokenId: expect.any(String), person: expect.objectContaining({ email: 'ada@example.com', slackUserId: 'U0ADA' }) } }]);

    // Slack's own form body, forwarded untouched with its signature, and a Bearer token.
    const form = viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'aws-admin/admin' }, durationSeconds: { selected: '3600' }, reason: { text: 'CHG-10 signed relay' } } });
    const signed = await postToSlackDoor(`${system.gatewayUrl}/slack/relay`, system.slack.signingSecret, form);
    expect(signed.status).toBe(401); // a signature alone is not the relay's proof
    const both = await fetch(`${system.gatewayUrl}/slack/relay`, {
      method: 'POST',
      headers: { 'content-type': form.contentType, authorization: `Bearer ${relayToken}`, ...signedHeaders(system.slack.signingSecret, form.body) },
      body: form.body,
    });
    expect(both.status).toBe(200);
    expect((await db.query(`SELECT 1 FROM approval.access_requests WHERE reason = 'CHG-10 signed relay'`)).rowCount).toBe(1);
  });

  it("waits out Slack's 429 (Retry-After) and still delivers", async () => {
    system.slack.rateLimit('chat.postMessage', 1, 1, (args) => String(args['text']).includes('Deployer (staging)'));
    const response = await post(
      viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'staging/deploy' }, durationSeconds: { selected: '3600' }, reason: { text: '' } } }),
    );
    expect(response.status).toBe(200);
    const limited = await waitFor(() => system.slack.calls.find((c) => c.method === 'chat.postMessage' && c.error === 'ratelimited'), { what: 'the 429' });
    const refusedAt = system.slack.calls.indexOf(limited);
    // The same message, sent again after the wait Slack asked for, is delivered.
    const delivered = await waitFor(
      () => system.slack.calls.find((c, i) => i > refusedAt && c.ok && c.method === 'chat.postMessage' && c.args['channel'] === limited.args['channel'] && c.args['text'] === limited.args['text']),
      { what: 'the rate-limited message delivered after Retry-After', timeoutMs: 15000 },
    );
    expect(String(delivered.args['text'])).toContain('Deployer (staging)');
  });

  it('cancels from the DM for the requester only, and the approvers\' copies say so', async () => {
    const created = await post(
      viewSubmission({ userId: 'U0ADA', callbackId: 'gatehouse_request', values: { target: { selected: 'production-database/read-only' }, durationSeconds: { selected: '1800' }, reason: { text: 'INC-77 to be cancelled' } } }),
    );
    expect(created.status).toBe(200);
    const id = (await db.query(`SELECT id FROM approval.access_requests WHERE reason = 'INC-77 to be cancelled'`)).rows[0].id as string;
    const dm = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['blocks']).includes(`"value":"${id}"`)), { what: 'the DM with Cancel request' });
    const toDba1 = await approvalIn('D0DBA1', id);
    await click('U0DBA1', 'gatehouse_cancel_request', id, 'D0ADA', ts(dm));
    await ephemeralTo('U0DBA1', 'only the requester (ada@example.com) can cancel this request');
    await click('U0ADA', 'gatehouse_cancel_request', id, 'D0ADA', ts(dm));
    const updated = await waitFor(() => system.slack.callsOf('chat.update').find((c) => c.args['channel'] === 'D0ADA' && c.args['ts'] === ts(dm)), { what: 'the DM updated' });
    expect(String(updated.args['text'])).toContain('You cancelled it');
    expect(String(updated.args['blocks'])).not.toContain('gatehouse_cancel_request');
    expect(await statusOf(id)).toBe('CANCELLED');
    await waitFor(() => system.slack.callsOf('chat.update').find((c) => c.args['ts'] === ts(toDba1) && String(c.args['text']).includes('Cancelled by the requester')), { what: "the approver's copy" });
  });

  it('asks in one line with /access <flow> <target> <duration> <reason>, and tells the error channel when granting fails', async () => {
    const refused = await post(slashCommand({ userId: 'U0ADA', text: 'production-database read-only 1h curious', triggerId: system.slack.issueTrigger() }));
    expect(await refused.json()).toEqual({
      response_type: 'ephemeral',
      text: 'Gatehouse cannot ask for read-only (production-database) for 1h:\n• the reason must start with the incident or change ticket, e.g. INC-1234',
    });
    const asked = await post(slashCommand({ userId: 'U0ADA', text: 'staging deploy 1h', triggerId: system.slack.issueTrigger() }));
    expect(await asked.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('You asked for Deployer (staging) for 1h') });
    // Okta has no such group here: granting fails, and the flow's error channel hears of it.
    const id = (await db.query(`SELECT id FROM approval.access_requests WHERE flow = 'staging' ORDER BY created_at DESC LIMIT 1`)).rows[0].id as string;
    const report = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === '#gatehouse-errors' && String(c.args['text']).includes(id)), {
      what: 'the error channel report',
    });
    expect(String(report.args['text'])).toMatch(new RegExp(`^:rotating_light: Granting failed for request ${id} \\(Deployer, staging, for ada@example.com\\): .+`));
  });

  it('opens the request form from the "Request access" shortcut', async () => {
    const trigger = system.slack.issueTrigger();
    const response = await post(interaction({ type: 'shortcut', callback_id: 'gatehouse_request_access', trigger_id: trigger, team: { id: 'T0TEST' }, user: { id: 'U0ADA', team_id: 'T0TEST' }, token: 'x', action_ts: '1' }));
    expect(response.status).toBe(200);
    await waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: 'the form opened from the shortcut' });
  });

  it('extends and revokes active access from the "you have access" DM, for the requester', async () => {
    const granted = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['blocks']).includes('gatehouse_revoke_now')), {
      what: 'the granted DM with its buttons',
    });
    const id = buttonValue(granted, 'gatehouse_revoke_now');
    expect(await statusOf(id)).toBe('ACTIVE');

    await click('U0EVE', 'gatehouse_revoke_now', id, 'D0ADA', ts(granted));
    await ephemeralTo('U0EVE', 'eve@example.com may not revoke this access');
    await click('U0ADA', 'gatehouse_extend', id, 'D0ADA', ts(granted));
    await ephemeralTo('U0ADA', 'Asked to extend Read-only (replica) (production-database) by 1h: the approvers have been asked');

    await click('U0ADA', 'gatehouse_revoke_now', id, 'D0ADA', ts(granted));
    const updated = await waitFor(() => system.slack.callsOf('chat.update').find((c) => c.args['channel'] === 'D0ADA' && c.args['ts'] === ts(granted)), { what: 'the DM updated' });
    expect(String(updated.args['text'])).toContain('Taking Read-only (replica) (production-database) away now');
    await waitFor(async () => (await statusOf(id)) === 'REVOKED', { what: 'REVOKED', timeoutMs: 20000 });
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['text']).includes('Your access to Read-only (replica) (production-database) was revoked')), {
      what: 'the requester told it is over',
    });
  });
});
