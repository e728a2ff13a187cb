import type { OcsfAuditEvent } from '@gatehouse/contracts';
import { appHomeOpened, blockAction, buttonValue, GatehouseSystem, homeAction, SLACK_DOOR_MODES, slackBotEnvFor, slackDoor, slashCommand, waitFor, type SlackCall } from '@gatehouse/testing';
import { Client } from 'pg';

const AWS_GROUP = '00gawsprodadmin00001';
const DB_GROUP = '00gprdbreadonly00001';
const BREAK_GLASS_GROUP = '00gbreakglassroot001';

/**
 * Every copy of an approval message follows its request to the end, whatever Slack or
 * slack-bot do meanwhile: a channel copy and a DM per approver, two approvers clicking at
 * once, a 1-of-2 policy, expiry, Slack answering 5xx for a while, slack-bot restarting, and a
 * channel the app was never invited to.
 */
describe.each(SLACK_DOOR_MODES)('Slack (%s): every copy kept in step, through clicks at once, outages and restarts', (mode) => {
  let system: GatehouseSystem;
  let db: Client;
  let adaToken: string;
  let deciderToken: string;

  beforeAll(async () => {
    system = await GatehouseSystem.start('slackstep', { serviceEnv: ({ slack }) => ({ 'slack-bot': slackBotEnvFor(mode, slack) }) });
    for (const [id, email] of [
      ['U0ADA', 'ada@example.com'],
      ['U0CTO', 'cto@example.com'],
      ['U0CISO', 'ciso@example.com'],
      ['U0SRE', 'sre-lead@example.com'],
      ['U0DBA1', 'dba1@example.com'],
      ['U0DBA2', 'dba2@example.com'],
      ['U0LEAD', 'lead@example.com'],
      ['U0ONCALL', 'oncall@example.com'],
    ] as const) {
      system.slack.addUser({ id, email });
    }
    system.okta.addGroup(AWS_GROUP);
    system.okta.addGroup(DB_GROUP);
    system.okta.addGroup(BREAK_GLASS_GROUP);
    system.okta.addUser('ada@example.com');
    adaToken = await system.mintToken({ for: 'ada@example.com' }, ['requests:write']);
    deciderToken = await system.mintToken({ service: 'step-ticketing' }, ['decisions:write', 'act-as']);
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  /** Slack's deliveries: to the gateway over HTTP, or as envelopes over Socket Mode. */
  const door = (...args: Parameters<ReturnType<typeof slackDoor>>) => slackDoor(mode, system.slack, () => system.gatewayUrl)(...args);
  const api = async (token: string, path: string, body: unknown, onBehalfOf?: string) => {
    const response = await fetch(`${system.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(onBehalfOf ? { 'gatehouse-on-behalf-of': onBehalfOf } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ask = async (flow: string, target: string, reason: string): Promise<string> => {
    const created = await api(adaToken, '/api/v1/requests', { flow, target, durationSeconds: 3600, reason });
    expect(created.status).toBe(201);
    return (created.body.request as { id: string }).id;
  };
  const approveByApi = async (id: string, email: string) => expect((await api(deciderToken, `/api/v1/requests/${id}/approve`, {}, email)).status).toBe(200);
  const statusOf = async (id: string) => (await db.query(`SELECT status FROM approval.access_requests WHERE id = $1`, [id])).rows[0]?.status as string;
  const expireNow = (id: string) => db.query(`UPDATE approval.timers SET due_at = now() WHERE request_id = $1 AND kind = 'expire' AND fired_at IS NULL`, [id]);

  const approvalIn = (channel: string, requestId: string): Promise<SlackCall> =>
    waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === channel && !c.args['thread_ts'] && String(c.args['blocks']).includes(requestId)), {
      what: `the approval message in ${channel}`,
    });
  const ts = (call: SlackCall) => String(call.result?.['ts']);
  /** The last text Slack holds for a posted message (its latest successful update, or the post). */
  const latest = (post: SlackCall) => {
    const updates = system.slack.callsOf('chat.update').filter((c) => c.args['channel'] === post.args['channel'] && c.args['ts'] === ts(post));
    return String((updates.at(-1) ?? post).args['text']);
  };
  const everyCopySays = (copies: SlackCall[], text: string, what: string) =>
    waitFor(() => copies.every((copy) => latest(copy).includes(text)), { what: `every copy to say "${text}" (${what})`, timeoutMs: 30000 });
  const threadReplies = (copy: SlackCall) => system.slack.callsOf('chat.postMessage').filter((c) => c.args['channel'] === copy.args['channel'] && c.args['thread_ts'] === ts(copy)).map((c) => String(c.args['text']));
  const click = (userId: string, requestId: string, copy: SlackCall) =>
    door(blockAction({ userId, actionId: 'gatehouse_approve', value: requestId, channelId: String(copy.args['channel']), messageTs: ts(copy), triggerId: system.slack.issueTrigger() }));
  const dmsTo = (channel: string) => system.slack.callsOf('chat.postMessage').filter((c) => c.args['channel'] === channel).map((c) => String(c.args['text']));

  // First in the suite: slack-bot has looked nobody up yet.
  it('asks a burst of requests to a twenty-approver flow, looking each approver up in Slack once', async () => {
    const reasons = Array.from({ length: 10 }, (_, i) => `INC-${100 + i} burst`);
    const ids = await Promise.all(reasons.map((reason) => ask('production-database', 'read-only', reason)));
    // Twenty look-ups and two DM channels opened, not one each per request: Slack paces both to
    // 50 calls a minute, and a burst looking up the same people at once queued behind itself.
    for (const id of ids) await Promise.all(['D0DBA1', 'D0DBA2'].map((channel) => waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === channel && String(c.args['blocks']).includes(id)), { what: `the approval message in ${channel}`, timeoutMs: 30000 })));
    // Those Slack does not know (dba3 to dba20) are answered users_not_found, and remembered too.
    await waitFor(() => system.slack.calls.filter((c) => c.method === 'users.lookupByEmail' && String(c.args['email']).startsWith('dba')).length >= 20, { what: 'every approver looked up' });
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM slack_bot.outgoing WHERE request_id = ANY($1::uuid[])`, [ids])).rows[0]?.n === 0, { what: 'every ask done' });
    const lookedUp = system.slack.calls.filter((c) => c.method === 'users.lookupByEmail').map((c) => String(c.args['email']));
    expect(lookedUp.filter((email) => email.startsWith('dba')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `dba${i + 1}@example.com`).sort());
    expect(system.slack.callsOf('conversations.open').map((c) => String(c.args['users'])).filter((u) => u.startsWith('U0DBA')).sort()).toEqual(['U0DBA1', 'U0DBA2']);
  });

  it('counts "1 of 2" in every thread, then approves, grants and expires with every copy following', async () => {
    const id = await ask('aws-admin', 'admin', 'CHG-100 rotate the root keys');
    const copies = await Promise.all(['C0ACCESS01', 'D0CTO', 'D0CISO', 'D0SRE'].map((channel) => approvalIn(channel, id)));
    expect(latest(copies[0])).toContain('0 of 2 approvals');

    expect((await click('U0CTO', id, copies[0])).status).toBe(200);
    await everyCopySays(copies, '1 of 2 approvals', 'after the first approval');
    await waitFor(() => copies.every((copy) => threadReplies(copy).includes('<@U0CTO> approved — 1 of 2')), { what: '"1 of 2" in every thread' });
    expect(await statusOf(id)).toBe('PENDING');

    expect((await click('U0CISO', id, copies[2])).status).toBe(200);
    await everyCopySays(copies, 'granted until', 'once granted');
    await waitFor(() => copies.every((copy) => threadReplies(copy).includes('<@U0CISO> approved — 2 of 2')), { what: '"2 of 2" in every thread' });
    expect(system.okta.isMember(AWS_GROUP, 'ada@example.com')).toBe(true);
    await waitFor(() => dmsTo('D0ADA').some((text) => text.includes('Your request for AdministratorAccess (aws-admin) for 1h was approved by cto@example.com, ciso@example.com')), {
      what: 'Ada told who approved',
    });
    await waitFor(() => dmsTo('D0ADA').some((text) => text.startsWith(':white_check_mark: You have AdministratorAccess (aws-admin) until <!date^')), { what: 'Ada told until when, in her time zone' });
    for (const copy of copies) expect(JSON.stringify(system.slack.callsOf('chat.update').filter((c) => c.args['ts'] === ts(copy)).at(-1)?.args['blocks'])).not.toContain('gatehouse_approve');

    // The flow's expiryWarning (15 minutes by default) falls due now: Ada may extend or end it.
    expect((await db.query(`UPDATE approval.timers SET due_at = now() WHERE request_id = $1 AND kind = 'warn' AND fired_at IS NULL`, [id])).rowCount).toBe(1);
    const warning = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA' && String(c.args['text']).startsWith(':hourglass_flowing_sand: Your access to AdministratorAccess (aws-admin) ends <!date^')), {
      what: 'Ada warned before her access ends',
    });
    expect(String(warning.args['text'])).toContain('Extend asks your approvers for another 1h');
    expect(buttonValue(warning, 'gatehouse_extend')).toBe(id);
    expect(buttonValue(warning, 'gatehouse_revoke_now')).toBe(id);

    await expireNow(id);
    await everyCopySays(copies, 'Access expired and was removed', 'after expiry');
    await waitFor(() => dmsTo('D0ADA').some((text) => text.includes('has expired and was removed')), { what: 'Ada told her access expired' });
    expect(system.okta.isMember(AWS_GROUP, 'ada@example.com')).toBe(false);
    // Each copy's thread holds each decision once.
    for (const copy of copies) expect(threadReplies(copy)).toEqual(['<@U0CTO> approved — 1 of 2', '<@U0CISO> approved — 2 of 2']);
  });

  // The App Home: opened by a person, its buttons clicked.
  const homeOpened = (userId: string) => door(appHomeOpened(userId));
  const homeText = (userId: string) => JSON.stringify(system.slack.homeOf(userId) ?? {});
  const buttonIn = (userId: string, actionId: string, requestId: string) => homeText(userId).includes(`"action_id":"${actionId}","value":"${requestId}"`);
  const homeClick = (userId: string, actionId: string, requestId: string) => door(homeAction({ userId, actionId, value: requestId, triggerId: system.slack.issueTrigger() }));

  it('reminds the approver in every thread, then asks the backup approver, who may decide from then on', async () => {
    const fireNow = (id: string, kind: 'remind' | 'escalate') => db.query(`UPDATE approval.timers SET due_at = now() WHERE request_id = $1 AND kind = $2 AND fired_at IS NULL`, [id, kind]);
    const id = await ask('break-glass', 'root', 'INC-77 production is down');
    const copies = [await approvalIn('C0BREAKGL1', id), await approvalIn('D0LEAD', id)];
    const reminded = (copy: SlackCall) => threadReplies(copy).filter((t) => t.startsWith(':bell: Reminder: this request is still waiting for a decision (0 of 1 approval so far)'));

    // Before the escalation the backup may not decide, and their Home does not offer it.
    await homeOpened('U0ONCALL');
    await waitFor(() => homeText('U0ONCALL').includes('Nothing waits for you.'), { what: "oncall's Home" });
    expect(buttonIn('U0ONCALL', 'gatehouse_home_approve', id)).toBe(false);
    await click('U0ONCALL', id, copies[0] as SlackCall);
    await waitFor(() => system.slack.callsOf('chat.postEphemeral').find((c) => c.args['user'] === 'U0ONCALL' && String(c.args['text']).includes('is not an approver of flow "break-glass"')), { what: 'the backup refused' });

    await fireNow(id, 'remind');
    await waitFor(() => copies.every((copy) => reminded(copy).length === 1), { what: 'a reminder in every thread' });

    await fireNow(id, 'escalate');
    const toOncall = await approvalIn('D0ONCALL', id);
    await waitFor(() => copies.every((copy) => threadReplies(copy).some((t) => t.includes('backup approvers are asked too: oncall@example.com'))), { what: 'the escalation in every thread' });
    expect(copies.map((copy) => reminded(copy).length)).toEqual([1, 1]);
    // Escalated: it now waits in the backup's Home too, so a missed DM is not the end of it.
    await waitFor(() => buttonIn('U0ONCALL', 'gatehouse_home_approve', id), { what: "the request in oncall's Home" });

    await click('U0ONCALL', id, toOncall);
    await everyCopySays([...copies, toOncall], 'Approved by oncall@example.com', 'the backup decided');
    expect(await statusOf(id)).not.toBe('PENDING');
    // Decided: the timers it no longer needs are closed.
    const { rows } = await db.query(`SELECT kind FROM approval.timers WHERE request_id = $1 AND fired_at IS NULL ORDER BY kind`, [id]);
    expect(rows.map((r) => r.kind)).not.toContain('timeout');
  });

  it('shows each person their App Home, and refreshes it for everyone concerned as a request moves', async () => {
    const id = await ask('aws-admin', 'admin', 'INC-88 from the Home');
    // Opening the Home shows what waits: the approver's decision, the requester's pending request.
    expect((await homeOpened('U0SRE')).status).toBe(200);
    await waitFor(() => buttonIn('U0SRE', 'gatehouse_home_approve', id), { what: "the request in sre-lead's Home" });
    await homeOpened('U0ADA');
    await waitFor(() => buttonIn('U0ADA', 'gatehouse_home_cancel', id), { what: "the request in Ada's Home" });
    await homeOpened('U0CTO');
    await waitFor(() => buttonIn('U0CTO', 'gatehouse_home_approve', id), { what: "the request in cto's Home" });

    // Someone who may not decide is told why by DM; nothing moves.
    await homeClick('U0DBA1', 'gatehouse_home_approve', id);
    await waitFor(() => dmsTo('D0DBA1').some((t) => t.includes('is not an approver of flow "aws-admin"')), { what: 'the refusal by DM' });
    expect(await statusOf(id)).toBe('PENDING');

    // Approved in the channel by one approver, then from the Home of another (1 of 2, then 2 of 2): every Home concerned follows.
    await click('U0SRE', id, await approvalIn('C0ACCESS01', id));
    await waitFor(() => homeText('U0CTO').includes('1 of 2 approvals') && !buttonIn('U0SRE', 'gatehouse_home_approve', id), { what: "cto's Home at 1 of 2, sre's without it" });
    await homeClick('U0CTO', 'gatehouse_home_approve', id);
    await waitFor(() => buttonIn('U0ADA', 'gatehouse_home_revoke', id), { what: "the access in Ada's Home", timeoutMs: 20000 });
    await waitFor(() => !buttonIn('U0CTO', 'gatehouse_home_approve', id), { what: "the decided request gone from cto's Home" });

    // Revoked from the Home: it moves to Ada's history.
    await homeClick('U0ADA', 'gatehouse_home_revoke', id);
    await waitFor(async () => (await statusOf(id)) === 'REVOKED', { what: 'the access revoked', timeoutMs: 20000 });
    await waitFor(() => !buttonIn('U0ADA', 'gatehouse_home_revoke', id) && homeText('U0ADA').includes('revoked'), { what: "Ada's Home to show it revoked" });
    // A Home nobody has opened is not published as requests move (views.publish is rate-limited); it is when opened.
    expect(system.slack.homeOf('U0CISO')).toBeUndefined();
    await homeOpened('U0CISO');
    await waitFor(() => homeText('U0CISO').includes('Nothing waits for you.'), { what: "ciso's Home when opened" });
  });

  it('takes exactly one decision when two approvers click at once, and tells the other who decided', async () => {
    const id = await ask('production-database', 'read-only', 'INC-200 both click');
    const [toDba1, toDba2] = await Promise.all([approvalIn('D0DBA1', id), approvalIn('D0DBA2', id)]);
    const answers = await Promise.all([click('U0DBA1', id, toDba1), click('U0DBA2', id, toDba2)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await everyCopySays([toDba1, toDba2], 'granted until', 'once granted');
    const decisions = (await db.query(`SELECT approver_email FROM approval.decisions WHERE request_id = $1`, [id])).rows as { approver_email: string }[];
    expect(decisions).toHaveLength(1);
    const winner = decisions[0]?.approver_email;
    const loser = winner === 'dba1@example.com' ? 'U0DBA2' : 'U0DBA1';
    await waitFor(() => system.slack.callsOf('chat.postEphemeral').find((c) => c.args['user'] === loser && String(c.args['text']).includes(`already approved by ${winner}`)), {
      what: 'the slower click told who decided',
    });
  });

  it('loses no update while Slack answers 5xx for a while: the last state reaches every copy', async () => {
    const id = await ask('aws-admin', 'admin', 'CHG-300 during a Slack outage');
    const copies = await Promise.all(['C0ACCESS01', 'D0CTO', 'D0CISO', 'D0SRE'].map((channel) => approvalIn(channel, id)));
    system.slack.breakNext('chat.update', { status: 503 }, 6);
    await approveByApi(id, 'cto@example.com');
    await approveByApi(id, 'sre-lead@example.com');
    await waitFor(() => system.slack.calls.filter((c) => c.method === 'chat.update' && c.error === 'http_503').length >= 6, { what: 'Slack to have failed six updates' });
    await everyCopySays(copies, 'granted until', 'after the outage');
    // Approvals made through the API are named in the thread too, found in Slack by email; once each.
    await waitFor(() => copies.every((copy) => threadReplies(copy).length === 2), { what: 'both approvals in every thread' });
    for (const copy of copies) expect(threadReplies(copy)).toEqual(['<@U0CTO> approved — 1 of 2', '<@U0SRE> approved — 2 of 2']);
  });

  it('posts every approval message once, in order, when Slack fails one DM for a while: those before it are not posted again', async () => {
    system.slack.breakNext('chat.postMessage', { status: 503 }, 3, (args) => args['channel'] === 'D0CISO' && String(args['blocks']).includes('CHG-350'));
    const id = await ask('aws-admin', 'admin', 'CHG-350 while one DM fails');
    await Promise.all(['C0ACCESS01', 'D0CTO', 'D0CISO', 'D0SRE'].map((channel) => approvalIn(channel, id)));
    const posts = system.slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.args['thread_ts'] && String(c.args['blocks']).includes(id));
    // The web client's own retries used up, the DM waits for slack-bot's next try; the rest keep their place.
    expect(posts.filter((c) => !c.ok).map((c) => c.args['channel'])).toEqual(['D0CISO', 'D0CISO', 'D0CISO']);
    expect(posts.filter((c) => c.ok).map((c) => c.args['channel'])).toEqual(['C0ACCESS01', 'D0CTO', 'D0CISO', 'D0SRE']);
  });

  it('catches up after slack-bot was down: every copy shows what happened meanwhile', async () => {
    const id = await ask('aws-admin', 'admin', 'CHG-400 while slack-bot restarts');
    const copies = await Promise.all(['C0ACCESS01', 'D0CTO', 'D0CISO', 'D0SRE'].map((channel) => approvalIn(channel, id)));
    await system.services['slack-bot'].stop();
    await approveByApi(id, 'cto@example.com');
    await approveByApi(id, 'ciso@example.com');
    await waitFor(async () => (await statusOf(id)) === 'ACTIVE', { what: 'ACTIVE while slack-bot is down', timeoutMs: 20000 });
    await system.services['slack-bot'].start();
    await everyCopySays(copies, 'granted until', 'after slack-bot came back');
    await waitFor(() => dmsTo('D0ADA').some((text) => text.startsWith(':white_check_mark: You have AdministratorAccess (aws-admin) until')), { what: 'Ada told she has access' });
  });

  it("reports a channel the app is not in: audited, in the error channel with the request id, and the requester told", async () => {
    system.slack.breakNext('chat.postMessage', { error: 'not_in_channel' }, 1, (args) => args['channel'] === 'C0ACCESS01' && String(args['blocks']).includes('CHG-500'));
    const id = await ask('aws-admin', 'admin', 'CHG-500 nobody invited the bot');
    const report = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'C0ERRORS01' && String(c.args['text']).includes(id)), { what: 'the report in the error channel' });
    expect(String(report.args['text'])).toContain('not_in_channel (the Gatehouse app is not a member of that channel; invite it with /invite @Gatehouse)');
    expect(String(report.args['text'])).toContain('<#C0ACCESS01>');
    await waitFor(() => dmsTo('D0ADA').some((text) => text.includes(`could not post it to <#C0ACCESS01> for the approvers`) && text.includes(id)), { what: 'Ada told in plain words' });
    const audited = await waitFor(
      async () => (await db.query(`SELECT record FROM audit.records WHERE subject = $1 AND type = 'slack.delivery_failed'`, [id])).rows[0]?.record as { data: OcsfAuditEvent } | undefined,
      { what: 'the failure in the audit trail' },
    );
    expect(audited.data.unmapped.gatehouse.by).toBe('system: slack-bot');
    expect(audited.data).toMatchObject({ class_uid: 3004, status: 'Failure', entity: { uid: id } });
    expect(audited.data.unmapped.gatehouse.details).toMatchObject({ method: 'chat.postMessage', destination: 'C0ACCESS01', error: 'not_in_channel', purpose: 'approval message' });
    // The approvers asked by DM still got it.
    await approvalIn('D0CTO', id);
  });

  it('reports a channel refused for good even when a DM after it fails for a while, and still posts that DM once', async () => {
    system.slack.breakNext('chat.postMessage', { error: 'not_in_channel' }, 1, (args) => args['channel'] === 'C0ACCESS01' && String(args['blocks']).includes('CHG-550'));
    system.slack.breakNext('chat.postMessage', { status: 503 }, 3, (args) => args['channel'] === 'D0CISO' && String(args['blocks']).includes('CHG-550'));
    const id = await ask('aws-admin', 'admin', 'CHG-550 two kinds of failure');
    await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'C0ERRORS01' && String(c.args['text']).includes(id)), { what: 'the report in the error channel' });
    await waitFor(() => dmsTo('D0ADA').some((text) => text.includes(`could not post it to <#C0ACCESS01> for the approvers`) && text.includes(id)), { what: 'Ada told in plain words' });
    await Promise.all(['D0CTO', 'D0CISO', 'D0SRE'].map((channel) => approvalIn(channel, id)));
    const posted = system.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && !c.args['thread_ts'] && String(c.args['blocks']).includes(id));
    expect(posted.map((c) => c.args['channel'])).toEqual(['D0CTO', 'D0CISO', 'D0SRE']);
    const reports = system.slack.callsOf('chat.postMessage').filter((c) => c.args['channel'] === 'C0ERRORS01' && String(c.args['text']).includes(id));
    expect(reports).toHaveLength(1);
  });

  it('acts once on a delivery Slack sends again (a retry), and still answers it', async () => {
    const command = slashCommand({ userId: 'U0ADA', text: 'production-database read-only 1h INC-600 asked twice', triggerId: system.slack.issueTrigger() });
    const first = await door(command);
    expect(first.status).toBe(200);
    const again = await door(command, { retryNum: 1 });
    expect(again.status).toBe(200);
    const requests = async () => (await db.query(`SELECT id FROM approval.access_requests WHERE reason = 'INC-600 asked twice'`)).rowCount;
    expect(await requests()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await requests()).toBe(1);
  });

  // Last in the suite: the poisoned request's work fails until the trigger is dropped.
  it("keeps other requests' approval messages flowing when one request's work fails in the database every time", async () => {
    // A trigger that refuses to record the posted message of one request: its Slack work fails
    // in the database on every try, after posting (as a bug or a bad row would).
    await db.query(`CREATE TABLE slack_bot.test_poisoned (request_id uuid PRIMARY KEY)`);
    await db.query(`CREATE FUNCTION slack_bot.test_refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM slack_bot.test_poisoned p WHERE p.request_id = NEW.request_id) THEN RAISE EXCEPTION 'test: request % is poisoned', NEW.request_id; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER test_refuse_poisoned BEFORE INSERT ON slack_bot.messages FOR EACH ROW EXECUTE FUNCTION slack_bot.test_refuse_poisoned()`);
    try {
      // Queued while slack-bot is down, so that all of them wait in its queue when it is back.
      await system.services['slack-bot'].stop();
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => ask('aws-admin', 'admin', `CHG-${700 + i} one of them poisoned`)));
      const [poisoned, ...healthy] = ids as [string, ...string[]];
      await db.query(`INSERT INTO slack_bot.test_poisoned (request_id) VALUES ($1)`, [poisoned]);
      await system.services['slack-bot'].start();
      const postsOf = (id: string) => system.slack.callsOf('chat.postMessage').filter((c) => c.args['channel'] === 'C0ACCESS01' && !c.args['thread_ts'] && String(c.args['blocks']).includes(id)).length;
      await Promise.all(healthy.map((id) => approvalIn('D0SRE', id)));
      // The poisoned one is tried again and again (its post is not recorded, so made again)…
      await waitFor(() => postsOf(poisoned) >= 4, { what: 'the poisoned request tried again and again', timeoutMs: 20000 });
      // …alone: the others are posted, once (twice at most, had one shared its failed transaction).
      for (const id of healthy) expect(postsOf(id)).toBeLessThanOrEqual(2);
    } finally {
      await db.query(`DROP TRIGGER test_refuse_poisoned ON slack_bot.messages`);
      await db.query(`DROP FUNCTION slack_bot.test_refuse_poisoned()`);
      await db.query(`DROP TABLE slack_bot.test_poisoned`);
    }
  });
});
