import { randomUUID } from 'node:crypto';

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

/**
 * The Kafka key of a delivery: its own identity (the event id, the trigger id), so deliveries
 * are handled side by side, even one person's. Slack sends each as a separate HTTP request with
 * no order between them, and what they do is made safe by approval (one decision per request),
 * not by their order.
 */
export function deliveryIdOf(body: Record<string, unknown>): string {
  for (const id of [body['event_id'], body['trigger_id'], body['action_ts']]) if (typeof id === 'string' && id.length > 0) return id;
  return randomUUID();
}
