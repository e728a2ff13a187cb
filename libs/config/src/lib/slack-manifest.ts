/**
 * The Slack app Gatehouse needs, as a Slack app manifest: create the app with one paste
 * (api.slack.com/apps → Create New App → From a manifest). Its scopes are exactly those of the
 * Web API methods slack-bot calls (a test in slack-bot holds them to that).
 */

/** The bot scope each Web API method slack-bot calls needs; methods that need none map to none. */
export const SLACK_METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  // `gatehouse doctor`: is the app in each channel the flows name (public, and private ones it is in)?
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.open': ['im:write'],
  'users.info': ['users:read'],
  // Finding an approver in Slack by their directory email.
  'users.lookupByEmail': ['users:read.email'],
  'views.open': [],
  'views.publish': [],
  'views.update': [],
};

/** The Events API events slack-bot listens to. */
export const SLACK_BOT_EVENTS = ['app_home_opened'] as const;

/** Scopes for what is not a Web API call: the slash command and the shortcut. */
export const SLACK_FEATURE_SCOPES = ['commands'] as const;

/** The callback id of the "Request access" global shortcut. */
export const REQUEST_ACCESS_SHORTCUT = 'gatehouse_request_access';
/** The callback id of the "Find access" global shortcut (search every flow and target). */
export const FIND_ACCESS_SHORTCUT = 'gatehouse_find_access';
export const ACCESS_COMMAND = '/access';

export interface SlackManifestOptions {
  /** The app's name in Slack (default "Gatehouse"). */
  name?: string;
  /** Socket Mode: slack-bot connects out, and Slack needs no URL. */
  socketMode: boolean;
  /** HTTP mode: the gateway's public base URL; Slack posts to `<url>/slack/events` (or the relay in front of it). */
  url?: string;
}

export class SlackManifestError extends Error {}

export function slackBotScopes(): string[] {
  return [...new Set([...Object.values(SLACK_METHOD_SCOPES).flat(), ...SLACK_FEATURE_SCOPES])].sort();
}

export function slackManifest(options: SlackManifestOptions): Record<string, unknown> {
  const name = options.name ?? 'Gatehouse';
  let events: string | undefined;
  if (!options.socketMode) {
    if (!options.url) throw new SlackManifestError('say where Slack reaches the gateway: --url https://<gateway> (or --socket-mode, which needs no URL)');
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new SlackManifestError(`--url must be an absolute URL such as https://gatehouse.example.com, not "${options.url}"`);
    }
    if (base.protocol !== 'https:') throw new SlackManifestError(`Slack only posts to https URLs; --url is ${base.protocol}//…`);
    events = new URL('slack/events', base.href.endsWith('/') ? base.href : `${base.href}/`).href;
  }
  const url = events ? { url: events } : {};
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name,
      description: 'Ask for temporary access, approve it, and follow it, in Slack.',
      background_color: '#1d3557',
    },
    features: {
      // The bot's DMs (approval requests, "you have access") are read in the Messages tab.
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true },
      bot_user: { display_name: name, always_online: true },
      shortcuts: [
        { name: 'Request access', type: 'global', callback_id: REQUEST_ACCESS_SHORTCUT, description: 'Ask for temporary access' },
        { name: 'Find access', type: 'global', callback_id: FIND_ACCESS_SHORTCUT, description: 'Search everything you may ask for' },
      ],
      slash_commands: [
        {
          command: ACCESS_COMMAND,
          ...url,
          description: 'Ask for access, list your requests, or get help',
          usage_hint: '[help | list | <flow> <target> <duration> <reason>]',
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: slackBotScopes() } },
    settings: {
      // The App Home is published when it is opened.
      event_subscriptions: { ...(events ? { request_url: events } : {}), bot_events: [...SLACK_BOT_EVENTS] },
      interactivity: { is_enabled: true, ...(events ? { request_url: events, message_menu_options_url: events } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: options.socketMode,
      token_rotation_enabled: false,
    },
  };
}
