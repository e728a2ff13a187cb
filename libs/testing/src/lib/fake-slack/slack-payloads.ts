import { createHmac } from 'node:crypto';

/** Signs a body as Slack does: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signSlackBody(secret: string, rawBody: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): { signature: string; timestamp: string } {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
  return { signature, timestamp: String(timestamp) };
}

export interface SlackPost {
  body: string;
  contentType: string;
}

const TEAM = { id: 'T0TEST', domain: 'gatehouse-test' };

/** A slash command as Slack posts it: form fields. */
export function slashCommand({ userId, text = '', triggerId, command = '/access', channelId = 'C0GENERAL' }: { userId: string; text?: string; triggerId: string; command?: string; channelId?: string }): SlackPost {
  const fields = {
    token: 'deprecated-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: channelId,
    channel_name: 'general',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command,
    text,
    api_app_id: 'A0GATEHOUSE',
    response_url: 'https://hooks.slack.invalid/commands/T0TEST/1/x',
    trigger_id: triggerId,
  };
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** An interaction (block_actions, view_submission…) as Slack posts it: a form with a JSON `payload`. */
export function interaction(payload: Record<string, unknown>): SlackPost {
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
}

let submissions = 0;

/** A `view_submission` of a modal with these input values (block id → selected value or text). */
export function viewSubmission({ userId, callbackId, values }: { userId: string; callbackId: string; values: Record<string, { selected?: string; text?: string }> }): SlackPost {
  const state = Object.fromEntries(
    Object.entries(values).map(([block, value]) => [
      block,
      { value: value.selected !== undefined ? { type: 'static_select', selected_option: { value: value.selected, text: { type: 'plain_text', text: value.selected } } } : { type: 'plain_text_input', value: value.text ?? null } },
    ]),
  );
  return interaction({
    type: 'view_submission',
    team: TEAM,
    user: { id: userId, username: userId.toLowerCase(), team_id: TEAM.id },
    api_app_id: 'A0GATEHOUSE',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.${++submissions}.trigger`,
    view: { id: 'V0MODAL', team_id: TEAM.id, type: 'modal', callback_id: callbackId, private_metadata: '', state: { values: state }, hash: 'h', app_id: 'A0GATEHOUSE', bot_id: 'B0BOT' },
    response_urls: [],
    is_enterprise_install: false,
  });
}

/** Posts a delivery to the gateway as Slack would, signed (or with the headers you give). */
export async function postToSlackDoor(
  url: string,
  secret: string,
  post: SlackPost,
  override: Partial<{ signature: string; timestamp: string; body: string; headers: Record<string, string> }> = {},
): Promise<Response> {
  const signed = signSlackBody(secret, post.body);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': post.contentType,
      'x-slack-signature': override.signature ?? signed.signature,
      'x-slack-request-timestamp': override.timestamp ?? signed.timestamp,
      ...override.headers,
    },
    body: override.body ?? post.body,
  });
}

/** A button click on a message, as Slack posts it (`block_actions`). */
export function blockAction({ userId, actionId, value, channelId, messageTs, triggerId }: { userId: string; actionId: string; value: string; channelId: string; messageTs: string; triggerId: string }): SlackPost {
  return interaction({
    type: 'block_actions',
    team: TEAM,
    user: { id: userId, username: userId.toLowerCase(), team_id: TEAM.id },
    api_app_id: 'A0GATEHOUSE',
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    channel: { id: channelId, name: 'directmessage' },
    message: { type: 'message', ts: messageTs, text: 'Access request', user: 'U0BOT' },
    response_url: `https://hooks.slack.invalid/actions/T0TEST/1/x`,
    actions: [{ type: 'button', action_id: actionId, block_id: 'decision', value, text: { type: 'plain_text', text: actionId }, action_ts: `${Date.now() / 1000}` }],
  });
}

/** A modal's `view_submission` with its private metadata (what the modal was opened about). */
export function modalSubmission({ userId, callbackId, privateMetadata, values }: { userId: string; callbackId: string; privateMetadata: string; values: Record<string, { text?: string; selected?: string }> }): SlackPost {
  const post = viewSubmission({ userId, callbackId, values });
  const payload = JSON.parse(new URLSearchParams(post.body).get('payload') ?? '{}') as { view: Record<string, unknown> };
  payload.view['private_metadata'] = privateMetadata;
  return interaction(payload);
}

/** The Events API callback Slack sends when a person opens the app's Home tab. */
export function appHomeOpened(userId: string): SlackPost {
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      token: 'x',
      team_id: 'T0TEST',
      api_app_id: 'A0GATEHOUSE',
      type: 'event_callback',
      event_id: `Ev${Date.now()}${userId}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: userId, channel: `D${userId.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
    }),
  };
}

/** A click on a button of the app's Home tab (`block_actions` from a `home` view). */
export function homeAction({ userId, actionId, value, triggerId }: { userId: string; actionId: string; value: string; triggerId: string }): SlackPost {
  return interaction({
    type: 'block_actions',
    team: { id: 'T0TEST', domain: 'gatehouse-test' },
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0GATEHOUSE',
    token: 'x',
    trigger_id: triggerId,
    container: { type: 'view', view_id: 'V0HOME' },
    view: { id: 'V0HOME', type: 'home', private_metadata: '', blocks: [], state: { values: {} }, hash: 'h' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, text: { type: 'plain_text', text: actionId }, action_ts: `${Date.now() / 1000}` }],
  });
}
