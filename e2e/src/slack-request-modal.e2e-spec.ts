import { GatehouseSystem, interaction, SLACK_DOOR_MODES, slackBotEnvFor, slackDoor, slashCommand, waitFor, type SlackCall, type SlackPost } from '@gatehouse/testing';
import { Client } from 'pg';

type Option = { text: { text: string }; value: string };
type Element = { type: string; action_id: string; options?: Option[]; initial_option?: Option };
type Block = { type: string; block_id?: string; dispatch_action?: boolean; hint?: { text: string }; element?: Element };
type SentView = { callback_id: string; private_metadata: string; blocks: Block[] };
/** A view as Slack shows it: what was sent, with the id and hash Slack gave it. */
type ShownView = SentView & { id: string; hash: string };

const TEAM = { id: 'T0TEST', domain: 'gatehouse-test' };
const ADA = { id: 'U0ADA', username: 'u0ada', name: 'u0ada', team_id: TEAM.id };

/**
 * The "Request access" modal, as Slack drives it: the flow first (its choice delivered at once
 * as `block_actions`, answered by `views.update`), then that flow's targets and durations, the
 * targets' type-ahead (`block_suggestion`, answered in the HTTP response), and the submission.
 * Every delivery goes through the gateway's signed door, Kafka and slack-bot's Bolt app.
 */
describe.each(SLACK_DOOR_MODES)('Slack (%s): the request modal, flow first', (mode) => {
  let system: GatehouseSystem;
  let db: Client;
  /** Slack's deliveries: to the gateway over HTTP, or as envelopes over Socket Mode; what Slack got back reads the same. */
  const post = (delivery: SlackPost) => slackDoor(mode, system.slack, () => system.gatewayUrl)(delivery);

  const sentView = (call: SlackCall): SentView => JSON.parse(String(call.args['view'])) as SentView;
  const block = (view: SentView, id: string) => view.blocks.find((b) => b.block_id === id);
  const values = (view: SentView, id: string) => block(view, id)?.element?.options?.map((o) => o.value);

  /** Slack's view state: every input block, with what the person entered (action ids as the view has them). */
  function stateOf(view: SentView, entered: Record<string, string>): Record<string, Record<string, unknown>> {
    const state: Record<string, Record<string, unknown>> = {};
    for (const b of view.blocks) {
      if (b.type !== 'input' || !b.block_id || !b.element) continue;
      const value = entered[b.block_id];
      state[b.block_id] = {
        [b.element.action_id]:
          b.element.type === 'plain_text_input'
            ? { type: 'plain_text_input', value: value ?? null }
            : { type: b.element.type, selected_option: value !== undefined ? { text: { type: 'plain_text', text: value }, value } : null },
      };
    }
    return state;
  }

  /** The view payload Slack puts in interactions from a modal. */
  const viewPayload = (view: ShownView, entered: Record<string, string>) => ({
    id: view.id,
    team_id: TEAM.id,
    type: 'modal',
    callback_id: view.callback_id,
    private_metadata: view.private_metadata,
    blocks: view.blocks,
    state: { values: stateOf(view, entered) },
    hash: view.hash,
    title: { type: 'plain_text', text: 'Request access' },
    root_view_id: view.id,
    previous_view_id: null,
    app_id: 'A0GATEHOUSE',
    bot_id: 'B0BOT',
  });

  const common = () => ({ team: TEAM, user: ADA, api_app_id: 'A0GATEHOUSE', token: 'deprecated-verification-token', is_enterprise_install: false });

  /** A select in a modal's input block with `dispatch_action`, chosen: `block_actions` from the view. */
  const chooseInModal = (view: ShownView, blockId: string, value: string) => {
    const element = block(view, blockId)?.element;
    if (!element) throw new Error(`no block ${blockId} in the view`);
    return interaction({
      type: 'block_actions',
      ...common(),
      container: { type: 'view', view_id: view.id },
      trigger_id: system.slack.issueTrigger(),
      view: viewPayload(view, { [blockId]: value }),
      actions: [{ type: element.type, action_id: element.action_id, block_id: blockId, selected_option: { text: { type: 'plain_text', text: value }, value }, action_ts: `${Date.now() / 1000}` }],
    });
  };

  /** Type-ahead in an external select of a modal. */
  const typeAhead = (view: ShownView, blockId: string, typed: string) =>
    interaction({
      type: 'block_suggestion',
      ...common(),
      container: { type: 'view', view_id: view.id },
      action_id: block(view, blockId)?.element?.action_id,
      block_id: blockId,
      value: typed,
      view: viewPayload(view, {}),
    });

  const submit = (view: ShownView, entered: Record<string, string>) =>
    interaction({ type: 'view_submission', ...common(), trigger_id: system.slack.issueTrigger(), view: viewPayload(view, entered), response_urls: [] });

  /** The view as Slack shows it after a views.open or views.update call: the id and hash Slack gave it. */
  const shown = (call: SlackCall): ShownView => {
    const { id, hash } = call.result?.['view'] as { id: string; hash: string };
    return { ...sentView(call), id, hash };
  };

  const openedBy = (trigger: string) => waitFor(() => system.slack.callsOf('views.open').find((c) => c.args['trigger_id'] === trigger), { what: `views.open for ${trigger}` });

  beforeAll(async () => {
    system = await GatehouseSystem.start('slackmodal', { serviceEnv: ({ slack }) => ({ 'slack-bot': slackBotEnvFor(mode, slack) }) });
    system.slack.addUser({ id: 'U0ADA', email: 'ada@example.com', realName: 'Ada Lovelace' });
    system.slack.addUser({ id: 'U0DBA1', email: 'dba1@example.com' });
    db = new Client({ connectionString: system.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await system?.stop();
  });

  let opened: ShownView;
  let updated: ShownView;

  it('/access opens the modal with the flow to choose first, dispatching at once', async () => {
    const trigger = system.slack.issueTrigger();
    expect((await post(slashCommand({ userId: 'U0ADA', triggerId: trigger }))).status).toBe(200);
    opened = shown(await openedBy(trigger));
    expect(opened.callback_id).toBe('gatehouse_request');
    expect(opened.private_metadata).toBe('');
    expect(block(opened, 'flow')).toMatchObject({ dispatch_action: true, element: { type: 'static_select', action_id: 'gatehouse_request_flow' } });
    expect(values(opened, 'flow')).toEqual(['production-database', 'aws-admin', 'staging', 'group-approved', 'break-glass', 'linked-only']);
    // No target or duration until a flow is chosen; the reason box is there already.
    expect(block(opened, 'target')).toBeUndefined();
    expect(block(opened, 'durationSeconds')).toBeUndefined();
    expect(block(opened, 'reason')).toBeDefined();
  });

  it("choosing a flow updates that view, by id and hash, to the flow's targets and durations", async () => {
    const before = system.slack.callsOf('views.update').length;
    const response = await post(chooseInModal(opened, 'flow', 'production-database'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const call = await waitFor(() => system.slack.callsOf('views.update')[before], { what: 'views.update' });
    expect(call.args['view_id']).toBe(opened.id);
    expect(call.args['hash']).toBe(opened.hash);
    // Slack keeps a view's id across updates.
    updated = shown(call);
    expect(updated.id).toBe(opened.id);
    expect(JSON.parse(updated.private_metadata)).toEqual({ flow: 'production-database' });
    expect(block(updated, 'flow')?.element?.initial_option?.value).toBe('production-database');
    expect(block(updated, 'target')?.element).toMatchObject({ type: 'static_select', action_id: 'target:production-database' });
    expect(values(updated, 'target')).toEqual(['read-only', 'read-write']);
    expect(block(updated, 'durationSeconds')?.element?.options?.map((o) => o.text.text)).toEqual(['30m', '1h', '2h', '8h']);
    expect(block(updated, 'reason')?.hint?.text).toBe('start with the incident or change ticket, e.g. INC-1234');
  });

  it('leaves the newer view alone when a choice made on an older version arrives (hash_conflict)', async () => {
    const updates = system.slack.callsOf('views.update').length;
    expect((await post(chooseInModal(opened, 'flow', 'staging'))).status).toBe(200);
    await waitFor(() => system.slack.calls.find((c) => c.method === 'views.update' && c.error === 'hash_conflict'), { what: 'Slack refusing the stale update' });
    expect(system.slack.callsOf('views.update')).toHaveLength(updates);
  });

  it("answers type-ahead with the flow's matching targets in the acknowledgement", async () => {
    const read = await post(typeAhead(updated, 'target', 'read'));
    expect(read.status).toBe(200);
    if (mode === 'http') expect(read.contentType).toContain('application/json');
    expect(await read.json()).toEqual({
      options: [
        { text: { type: 'plain_text', text: 'Read-only (replica)' }, value: 'read-only' },
        { text: { type: 'plain_text', text: 'Read-write (primary)' }, value: 'read-write', description: { type: 'plain_text', text: 'up to 2h' } },
      ],
    });
    expect(await (await post(typeAhead(updated, 'target', 'PRIMARY'))).json()).toEqual({ options: [expect.objectContaining({ value: 'read-write' })] });
    expect(await (await post(typeAhead(updated, 'target', 'nothing like it'))).json()).toEqual({ options: [] });
    // Type-ahead repeats on purpose: the same text again is answered again, not taken for a retry.
    expect(await (await post(typeAhead(updated, 'target', 'read'))).json()).toMatchObject({ options: [{ value: 'read-only' }, { value: 'read-write' }] });
  });

  it('asks for a flow, inside the modal, when submitted without one', async () => {
    const response = await post(submit(opened, { reason: 'INC-1 no flow yet' }));
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { flow: 'Choose a flow first' } });
  });

  it("shows the flow's reason rule inside the modal, on the reason, and makes nothing", async () => {
    const response = await post(submit(updated, { flow: 'production-database', target: 'read-only', durationSeconds: '3600', reason: 'curious' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { reason: 'the reason must start with the incident or change ticket, e.g. INC-1234' } });
    expect((await db.query(`SELECT count(*)::int AS n FROM approval.access_requests`)).rows[0].n).toBe(0);
  });

  it('makes the request from what was chosen, closes the modal and DMs the requester', async () => {
    const response = await post(submit(updated, { flow: 'production-database', target: 'read-only', durationSeconds: '1800', reason: 'INC-7 flow-first modal' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const { rows } = await db.query(`SELECT flow, target, duration_seconds, reason, status FROM approval.access_requests`);
    expect(rows).toEqual([{ flow: 'production-database', target: 'read-only', duration_seconds: 1800, reason: 'INC-7 flow-first modal', status: 'PENDING' }]);
    const dm = await waitFor(() => system.slack.callsOf('chat.postMessage').find((c) => c.args['channel'] === 'D0ADA'), { what: 'the DM' });
    expect(String(dm.args['text'])).toContain('You asked for Read-only (replica) (production-database) for 30m');
    expect(String(dm.args['blocks'])).toContain('Cancel request');
  });

  it('/access <flow> opens the modal with that flow chosen; the shortcut opens it flow first', async () => {
    const trigger = system.slack.issueTrigger();
    await post(slashCommand({ userId: 'U0ADA', text: 'staging', triggerId: trigger }));
    const staging = sentView(await openedBy(trigger));
    expect(JSON.parse(staging.private_metadata)).toEqual({ flow: 'staging' });
    expect(values(staging, 'target')).toEqual(['deploy']);
    // One duration: already chosen.
    expect(block(staging, 'durationSeconds')?.element?.initial_option?.value).toBe('3600');

    const fromShortcut = system.slack.issueTrigger();
    await post(interaction({ type: 'shortcut', callback_id: 'gatehouse_request_access', trigger_id: fromShortcut, team: { id: TEAM.id }, user: { id: 'U0ADA', team_id: TEAM.id }, token: 'x', action_ts: '1' }));
    const viaShortcut = sentView(await openedBy(fromShortcut));
    expect(block(viaShortcut, 'flow')?.dispatch_action).toBe(true);
    expect(block(viaShortcut, 'target')).toBeUndefined();
  });

  it('"Find access" searches every flow and target, and opens the request form with the one chosen', async () => {
    const trigger = system.slack.issueTrigger();
    expect((await post(interaction({ type: 'shortcut', callback_id: 'gatehouse_find_access', trigger_id: trigger, team: { id: TEAM.id }, user: { id: 'U0ADA', team_id: TEAM.id }, token: 'x', action_ts: '1' }))).status).toBe(200);
    const search = shown(await openedBy(trigger));
    expect(search.callback_id).toBe('gatehouse_find');
    expect(block(search, 'find')?.element).toMatchObject({ type: 'external_select', action_id: 'gatehouse_find_choice' });

    // Type-ahead over names and descriptions: "postgresql" is in the flow's description only.
    const typed = (value: string) => post(interaction({ type: 'block_suggestion', ...common(), container: { type: 'view', view_id: search.id }, action_id: 'gatehouse_find_choice', block_id: 'find', value, view: viewPayload(search, {}) }));
    const found = (await (await typed('PostgreSQL')).json()) as { options: { value: string; description?: { text: string } }[] };
    expect(found.options.map((o) => o.value)).toEqual(['production-database/read-only', 'production-database/read-write']);
    expect(found.options[0]?.description?.text).toContain('production-database: ');
    expect(((await (await typed('replica')).json()) as { options: { value: string }[] }).options.map((o) => o.value)).toEqual(['production-database/read-only']);

    const next = (chosen?: string) =>
      post(interaction({ type: 'view_submission', ...common(), trigger_id: system.slack.issueTrigger(), view: { ...viewPayload(search, {}), state: { values: { find: { gatehouse_find_choice: { type: 'external_select', selected_option: chosen ? { text: { type: 'plain_text', text: chosen }, value: chosen } : null } } } } }, response_urls: [] }));
    expect(await (await next()).json()).toEqual({ response_action: 'errors', errors: { find: 'Choose something from the list' } });
    const answer = (await (await next('production-database/read-write')).json()) as { response_action: string; view: SentView };
    expect(answer.response_action).toBe('update');
    expect(answer.view.callback_id).toBe('gatehouse_request');
    expect(JSON.parse(answer.view.private_metadata)).toEqual({ flow: 'production-database' });
    expect(block(answer.view, 'flow')?.element?.initial_option?.value).toBe('production-database');
    expect(block(answer.view, 'target')?.element?.initial_option?.value).toBe('read-write');
  });
});
