import { createHash } from 'node:crypto';

/**
 * What makes two deliveries the same one: Slack's `event_id` for Events API callbacks (a retry
 * carries the same id), and otherwise a digest of the payload (an interaction's payload holds
 * its own trigger id and timestamps, so a second, separate click never digests the same).
 * Type-ahead requests have no effect and are asked again with the same text: never deduplicated.
 */
export function deliveryKey(body: Record<string, unknown>): string | undefined {
  if (typeof body['event_id'] === 'string') return `event:${body['event_id']}`;
  const payload = typeof body['payload'] === 'string' ? body['payload'] : undefined;
  if (payload && /"type"\s*:\s*"block_suggestion"/.test(payload)) return undefined;
  if (body['type'] === 'block_suggestion') return undefined;
  return `digest:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
}
