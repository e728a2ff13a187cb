/**
 * Slack's body as slack-bot wants it: Events API deliveries are JSON; interactions are a form
 * with one `payload` field holding JSON; slash commands and `ssl_check` are plain form fields.
 */
export function parseSlackBody(contentType: string | undefined, parsed: unknown): Record<string, unknown> | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const body = parsed as Record<string, unknown>;
  if ((contentType ?? '').includes('application/x-www-form-urlencoded') && typeof body['payload'] === 'string') {
    try {
      const payload: unknown = JSON.parse(body['payload']);
      return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return body;
}

/** The Slack user a delivery is from: the Kafka key, so one person's clicks stay in order. */
export function slackUserOf(body: Record<string, unknown>): string {
  const user = body['user'] as { id?: unknown } | undefined;
  const event = body['event'] as { user?: unknown } | undefined;
  const id = user?.id ?? body['user_id'] ?? event?.user;
  return typeof id === 'string' && id.length > 0 ? id : 'slack';
}
