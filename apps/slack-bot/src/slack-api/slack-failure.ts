/**
 * What went wrong with a Slack call, and whether trying again later can help. Slack answers
 * most errors with `ok: false` and a code on HTTP 200; 5xx, network trouble and rate limits
 * pass with time. A bad token is treated as passing too: once an admin fixes it, nothing that
 * waited is lost.
 */
export interface SlackFailure {
  /** Slack's error code (`not_in_channel`), or `http_503`, `network`, `ratelimited`. */
  code: string;
  retryable: boolean;
}

const PASSING = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'team_access_not_granted']);

/** What each lasting failure means, in words an admin or requester can act on. */
const MEANING: Record<string, string> = {
  not_in_channel: 'the Gatehouse app is not a member of that channel; invite it with /invite @Gatehouse',
  channel_not_found: 'that channel does not exist or the Gatehouse app cannot see it (a private channel needs the app invited)',
  is_archived: 'that channel is archived',
  user_not_found: 'that Slack user does not exist',
  users_not_found: 'no Slack user has that email',
  user_disabled: 'that Slack user is deactivated',
  account_inactive: 'the Slack account is deactivated',
  cannot_dm_bot: 'the person is a bot',
  message_not_found: 'the message was deleted in Slack',
  msg_too_long: 'the message is too long for Slack',
  invalid_blocks: 'Slack refused the message layout (a Gatehouse bug: please report it)',
  restricted_action: 'a workspace setting stops the app from posting there',
  missing_scope: 'the Slack app lacks a permission it needs; reinstall it from its manifest',
};

export function slackFailureOf(error: unknown): SlackFailure {
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number; message?: string } | undefined;
  if (e?.code === 'slack_webapi_platform_error' && e.data?.error) return { code: e.data.error, retryable: PASSING.has(e.data.error) };
  if (e?.code === 'slack_webapi_http_error') return { code: `http_${e.statusCode ?? 'error'}`, retryable: true };
  if (e?.code === 'slack_webapi_rate_limited_error' || /rate limit/i.test(e?.message ?? '')) return { code: 'ratelimited', retryable: true };
  if (e?.code === 'slack_webapi_request_error') return { code: 'network', retryable: true };
  // Anything unknown may pass; a stuck job is visible and retried, a dropped one is lost.
  return { code: e?.message?.slice(0, 200) ?? 'unknown', retryable: true };
}

/** "not_in_channel (the Gatehouse app is not a member of that channel; …)". */
export function describeSlackFailure(failure: SlackFailure): string {
  const meaning = MEANING[failure.code];
  return meaning ? `${failure.code} (${meaning})` : failure.code;
}
