import type { OcsfAuditEvent } from '@gatehouse/contracts';
import { appHomeOpened, GatehouseSystem, homeAction, interaction, SLACK_DOOR_MODES, slackBotEnvFor, slackDoor, slashCommand, waitFor, type SlackPost } from '@gatehouse/testing';
import { Client } from 'pg';
import { chromium, type Browser } from 'playwright-core';

/**
 * Verified identities: a Slack user links their account by signing in to Okta (OpenID Connect,
 * authorization code with PKCE) in a real browser, from a one-time link their Home gives them.
 * The linked identity then wins over the email on their Slack profile, and satisfies a flow that
 * requires it; the sign-in refuses a wrong state, a replayed code, an expired ID token and a
 * link used twice.
 */
describe.each(SLACK_DOOR_MODES)('Slack (%s): link your account by signing in to Okta', (mode) => {
  let system: GatehouseSystem;
  let db: Client;
  let browser: Browser;

  beforeAll(async () => {
    system = await GatehouseSystem.start('linking', { serviceEnv: ({ slack }) => ({ 'slack-bot': slackBotEnvFor(mode, slack) }) });
    // Grace's Slack profile shows a contractor address; Okta knows her as grace@example.com.
    system.slack.addUser({ id: 'U0GRACE', email: 'grace.h@contractor.example' });
    system.slack.addUser({ id: 'U0CTO', email: 'cto@example.com' });
    system.slack.addUser({ id: 'U0ALAN', email: 'alan@example.com' });
    system.oidc.addUser({ sub: '00ugrace000000000001', login: 'grace@example.com', email: 'grace@example.com', name: 'Grace Hopper' });
    system.oidc.addUser({ sub: '00ualan0000000000001', login: 'alan@example.com', email: 'alan@example.com', name: 'Alan Turing' });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
    browser = await chromium.launch({
      executablePath: process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await system?.stop();
  });

  const door = (post: SlackPost) => slackDoor(mode, system.slack, () => system.gatewayUrl)(post);
  const homeOpened = (userId: string) => door(appHomeOpened(userId));
  const homeText = (userId: string) => JSON.stringify(system.slack.homeOf(userId) ?? {});
  const homeClick = (userId: string, actionId: string, triggerId = system.slack.issueTrigger()) => door(homeAction({ userId, actionId, value: 'home', triggerId }));
  /** "Link your account" in the Home: the one-time sign-in link of the modal it opens. */
  const linkFor = async (userId: string): Promise<string> => {
    const trigger = system.slack.issueTrigger();
    expect((await homeClick(userId, 'gatehouse_home_link', trigger)).status).toBe(200);
    const opened = await waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: 'the link modal' });
    const url = /"url":"([^"]+)"/.exec(String(opened.args['view']))?.[1];
    if (!url) throw new Error(`no sign-in link in ${String(opened.args['view'])}`);
    return url;
  };
  const access = async (userId: string, text: string) => {
    const answer = await door(slashCommand({ userId, text, triggerId: system.slack.issueTrigger() }));
    const body = (await answer.json()) as { text?: string; blocks?: unknown[] };
    // What tells the person to link their account carries the button that does it.
    if (String(body.text).includes('Link your account')) expect(JSON.stringify(body.blocks)).toContain('"action_id":"gatehouse_home_link"');
    return String(body.text);
  };
  const audited = async (type: string, slackUserId: string) =>
    (await db.query(`SELECT record FROM audit.records WHERE type = $1 AND subject = $2`, [type, slackUserId])).rows.map((r) => r.record as { data: OcsfAuditEvent });

  /**
   * The sign-in without a browser, as an attacker or a test would drive it: the link (which sets
   * the browser's cookie and sends it to Okta), Okta's sign-in form, and Okta's redirect back.
   */
  const signInByHand = async (link: string, login: string) => {
    const started = await fetch(link, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const cookie = (started.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const authorize = new URL(started.headers.get('location') ?? '');
    const form = new URLSearchParams(authorize.searchParams);
    form.set('username', login);
    const signedIn = await fetch(`${authorize.origin}${authorize.pathname}`, { method: 'POST', body: form, redirect: 'manual' });
    expect(signedIn.status).toBe(302);
    return { cookie, callback: new URL(signedIn.headers.get('location') ?? '') };
  };
  const callback = async (url: URL, cookie: string) => {
    const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    return { status: response.status, page: await response.text() };
  };

  it('links the Slack account in a real browser; the linked identity wins over the Slack email and satisfies a flow that requires it', async () => {
    // Known only by the Slack profile, Grace may not use a flow that requires a linked account.
    expect(await access('U0GRACE', 'linked-only vault 1h')).toContain('flow "linked-only" requires a linked account to ask for access');
    await homeOpened('U0GRACE');
    await waitFor(() => homeText('U0GRACE').includes('"action_id":"gatehouse_home_link"'), { what: "the link button in Grace's Home" });
    expect(homeText('U0GRACE')).toContain('grace.h@contractor.example');

    // The browser: the link, Okta's sign-in page, back at the gateway.
    const page = await browser.newPage();
    try {
      await page.goto(await linkFor('U0GRACE'));
      expect(await page.textContent('h1')).toBe('Sign In');
      await page.fill('#okta-signin-username', 'grace@example.com');
      await page.click('#okta-signin-submit');
      await page.waitForSelector('#title');
      expect(await page.textContent('#title')).toBe('Your accounts are linked');
      expect(await page.textContent('#message')).toContain('grace@example.com');
      expect(page.url()).toContain(`${system.gatewayUrl}/link/callback`);
    } finally {
      await page.close();
    }

    // Told in Slack; the Home says who Gatehouse takes her for now, with Unlink.
    await waitFor(() => system.slack.callsOf('chat.postMessage').some((c) => c.args['channel'] === 'D0GRACE' && String(c.args['text']).includes('now linked')), { what: 'the DM saying it is linked' });
    await waitFor(() => homeText('U0GRACE').includes('proven by signing in to Okta') && homeText('U0GRACE').includes('"action_id":"gatehouse_home_unlink"'), { what: "Grace's Home showing the link" });
    const [linked] = await audited('identity.linked', 'U0GRACE');
    expect(linked?.data).toMatchObject({ class_uid: 3004, activity_name: 'Create', entity: { type: 'Identity Link', uid: 'U0GRACE', name: 'grace@example.com' } });
    expect(linked?.data.unmapped.gatehouse.details).toMatchObject({ email: 'grace@example.com', subject: '00ugrace000000000001', slackEmail: 'grace.h@contractor.example' });

    // The linked identity is the one that asks, and the flow accepts it.
    expect(await access('U0GRACE', 'linked-only vault 1h')).not.toContain('requires a linked account');
    const { rows } = await db.query(`SELECT id, requester_email FROM approval.access_requests WHERE flow = 'linked-only'`);
    expect(rows.map((r) => r.requester_email)).toEqual(['grace@example.com']);

    // The approver has not linked: the flow does not take their decision from Slack.
    await homeOpened('U0CTO');
    await waitFor(() => homeText('U0CTO').includes(`"action_id":"gatehouse_home_approve","value":"${rows[0].id}"`), { what: "the request in cto's Home" });
    await door(
      interaction({
        type: 'block_actions',
        team: { id: 'T0TEST', domain: 'gatehouse-test' },
        user: { id: 'U0CTO', username: 'cto', team_id: 'T0TEST' },
        api_app_id: 'A0GATEHOUSE',
        token: 'x',
        trigger_id: system.slack.issueTrigger(),
        container: { type: 'view', view_id: 'V0HOME' },
        view: { id: 'V0HOME', type: 'home', private_metadata: '', blocks: [], state: { values: {} }, hash: 'h' },
        actions: [{ type: 'button', action_id: 'gatehouse_home_approve', block_id: 'b', value: rows[0].id, text: { type: 'plain_text', text: 'Approve' }, action_ts: `${Date.now() / 1000}` }],
      }),
    );
    const toldToLink = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0CTO' && String(c.args['text']).includes('requires a linked account to decide')), { what: 'the approver told to link first' });
    expect(String(toldToLink.args['blocks'])).toContain('"action_id":"gatehouse_home_link"');
    expect((await db.query(`SELECT status FROM approval.access_requests WHERE id = $1`, [rows[0].id])).rows[0].status).toBe('PENDING');
  });

  it('refuses a wrong state, a sign-in finished in another browser, a replayed code, an expired ID token and a link used twice', async () => {
    // A forged state: nothing is linked.
    const forged = await signInByHand(await linkFor('U0ALAN'), 'alan@example.com');
    const wrongState = new URL(forged.callback);
    wrongState.searchParams.set('state', 'forged-state-forged-state');
    const refused = await callback(wrongState, forged.cookie);
    expect(refused.status).toBe(400);
    expect(refused.page).toContain('This sign-in is not known');

    // The right state, but from a browser without the cookie that started it.
    const elsewhere = await callback(forged.callback, '');
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.page).toContain('started in another browser');

    // A good sign-in links; replaying its callback, or its code in a new sign-in, does not.
    const link = await linkFor('U0ALAN');
    const good = await signInByHand(link, 'alan@example.com');
    expect((await callback(good.callback, good.cookie)).status).toBe(200);
    const replayed = await callback(good.callback, good.cookie);
    expect(replayed.status).toBe(400);
    const fresh = await signInByHand(await linkFor('U0ALAN'), 'alan@example.com');
    const oldCode = new URL(fresh.callback);
    oldCode.searchParams.set('code', good.callback.searchParams.get('code') ?? '');
    const codeReplay = await callback(oldCode, fresh.cookie);
    expect(codeReplay.status).toBe(400);
    expect(codeReplay.page).toContain('Okta refused this sign-in');
    expect(system.oidc.tokenErrors).toContain('invalid_grant');

    // The link that was used cannot start another sign-in.
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('used already');

    // An ID token that has expired is not trusted.
    system.oidc.idTokenTtlSeconds = -3600;
    try {
      const stale = await signInByHand(await linkFor('U0ALAN'), 'alan@example.com');
      const answer = await callback(stale.callback, stale.cookie);
      expect(answer.status).toBe(400);
      expect(answer.page).toContain('the ID token has expired');
    } finally {
      system.oidc.idTokenTtlSeconds = 3600;
    }
    expect(await audited('identity.linked', 'U0ALAN')).toHaveLength(1);

    // Unlinked from the Home: audited, and the Home offers the link again.
    await homeOpened('U0ALAN');
    await waitFor(() => homeText('U0ALAN').includes('"action_id":"gatehouse_home_unlink"'), { what: "Alan's Home with Unlink" });
    await homeClick('U0ALAN', 'gatehouse_home_unlink');
    await waitFor(() => homeText('U0ALAN').includes('"action_id":"gatehouse_home_link"'), { what: "Alan's Home offering the link again" });
    await waitFor(async () => (await audited('identity.unlinked', 'U0ALAN')).length === 1, { what: 'the unlink audited' });
  });
});
