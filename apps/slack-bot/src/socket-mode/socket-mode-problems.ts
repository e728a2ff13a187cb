/** What to tell an admin when Socket Mode cannot work: Slack's word for it and what to do. */
const ADVICE: Record<string, string> = {
  invalid_auth: 'SLACK_APP_TOKEN is wrong or revoked: create an app-level token with the connections:write scope (the Slack app\'s Basic Information → App-Level Tokens) and set it',
  not_authed: 'no token reached Slack: set SLACK_APP_TOKEN to the app-level token (xapp-…)',
  not_allowed_token_type: 'SLACK_APP_TOKEN is not an app-level token: use the xapp-… token from Basic Information → App-Level Tokens, not the bot token',
  missing_scope: 'the app-level token lacks the connections:write scope: create one that has it (Basic Information → App-Level Tokens)',
  account_inactive: 'the Slack app or its workspace is no longer active: reinstall the app, then set the new tokens',
  team_disabled: 'the Slack workspace is disabled',
  user_removed_from_team: 'the Slack app was removed from the workspace: reinstall it, then set the new tokens',
  link_disabled: 'Socket Mode is turned off for this Slack app: turn it on (the app\'s settings → Socket Mode), or unset SLACK_APP_TOKEN and give Slack the gateway\'s /slack/events URL instead',
};

function sentence(code: string): string {
  return `Socket Mode stopped (Slack said ${code}): ${ADVICE[code] ?? 'see Slack\'s documentation for this error'}, then restart slack-bot.`;
}

/** Why `start()` gave up: the client retries what can heal, so what reaches here cannot. */
export function socketModeStartProblem(error: unknown): string {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  if (typeof code === 'string') return sentence(code);
  return `Socket Mode stopped: could not reach Slack to open a connection (${error instanceof Error ? error.message : String(error)}); check SLACK_API_URL and the network, then restart slack-bot.`;
}

/** A `disconnect` message that means reconnecting is pointless, or undefined for one that does not. */
export function fatalSocketModeProblem(message: string): string | undefined {
  try {
    const parsed = JSON.parse(message) as { type?: unknown; reason?: unknown };
    return parsed.type === 'disconnect' && parsed.reason === 'link_disabled' ? sentence('link_disabled') : undefined;
  } catch {
    return undefined;
  }
}
