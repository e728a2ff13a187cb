import { fail, pass, slackBotScopes, warn, type Finding, type FlowsFile } from '@gatehouse/config';
import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { ServiceConfig } from '../config';

const errorOf = (error: unknown) => (error as { data?: { error?: string } }).data?.error ?? (error instanceof Error ? error.message : String(error));

/**
 * Slack: the bot token works and holds every scope the manifest asks for, and the app is in
 * every request and error channel the flows name (it cannot post where it was not invited).
 */
export async function checkSlack(config: ServiceConfig, flows: FlowsFile): Promise<Finding[]> {
  const token = config.slack.botToken;
  if (!token) return [{ check: 'slack token', ...warn('SLACK_BOT_TOKEN not set: Slack is off', 'create the app from `npm run gatehouse -- slack manifest` and set SLACK_BOT_TOKEN (xoxb-…)') }];
  const client = new WebClient(token, { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 1 }, timeout: 10_000 });
  let auth: WebAPICallResult & { team?: string; user?: string };
  try {
    auth = await client.auth.test();
  } catch (error) {
    return [{ check: 'slack token', ...fail(`Slack refused the bot token (${errorOf(error)})`, 'copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions again into SLACK_BOT_TOKEN') }];
  }
  const findings: Finding[] = [{ check: 'slack token', ...pass(`valid: bot @${auth.user ?? '?'} in workspace "${auth.team ?? '?'}"`) }];
  const held = new Set(auth.response_metadata?.scopes ?? []);
  const missing = slackBotScopes().filter((scope) => !held.has(scope));
  findings.push({
    check: 'slack scopes',
    ...(missing.length === 0
      ? pass(`every scope the manifest asks for (${slackBotScopes().length})`)
      : fail(`missing ${missing.join(', ')}`, 'update the app from `npm run gatehouse -- slack manifest` (App Manifest → paste), then reinstall it to the workspace')),
  });
  const wanted = new Map<string, string[]>();
  for (const flow of flows.flows) {
    for (const [kind, channel] of [['request channel', flow.notifications.requestChannel], ['error channel', flow.notifications.errorChannel]] as const) {
      if (channel) wanted.set(channel, [...(wanted.get(channel) ?? []), `${flow.name} ${kind}`]);
    }
  }
  if (wanted.size === 0) return findings;
  const channels: { id?: string; name?: string; is_member?: boolean }[] = [];
  try {
    let cursor: string | undefined;
    do {
      const page = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
      channels.push(...(page.channels ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (error) {
    return [...findings, { check: 'slack channels', ...fail(`cannot list channels (${errorOf(error)})`, 'the app needs channels:read and groups:read: update it from the manifest and reinstall') }];
  }
  for (const [channel, uses] of wanted) {
    const key = channel.replace(/^#/, '').toLowerCase();
    const found = channels.find((c) => c.id === channel || c.name?.toLowerCase() === key);
    const label = `slack channel ${channel}`;
    if (!found) findings.push({ check: label, ...fail(`${uses.join(', ')}: no such channel, or a private one the app is not in`, `create it, or invite the app there: /invite @Gatehouse in ${channel}`) });
    else if (!found.is_member) findings.push({ check: label, ...fail(`${uses.join(', ')}: the app is not in it, so it cannot post there`, `/invite @Gatehouse in ${channel}`) });
    else findings.push({ check: label, ...pass(`${uses.join(', ')}: the app is in it`) });
  }
  return findings;
}
