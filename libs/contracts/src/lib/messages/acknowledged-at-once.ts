/**
 * Deliveries whose acknowledgement Slack reads nothing from: a click, an Events API callback, a
 * closed modal, a shortcut. They are acknowledged as soon as they are safely kept — by the
 * gateway once the broker has the delivery (HTTP), by slack-bot before it records it or Bolt
 * runs (Socket Mode) — so that Slack's 3-second clock never waits on our work. Modal
 * submissions, slash commands and type-ahead are answered with their listener's ack, which
 * Slack shows.
 */
const ACK_CARRIES_NOTHING = new Set(['block_actions', 'event_callback', 'view_closed', 'shortcut', 'message_action', 'interactive_message']);

export function acknowledgedAtOnce(body: Record<string, unknown>): boolean {
  return ACK_CARRIES_NOTHING.has(deliveryType(body) ?? '');
}

function deliveryType(body: Record<string, unknown>): string | undefined {
  if (typeof body['type'] === 'string') return body['type'];
  if (typeof body['payload'] !== 'string') return undefined;
  try {
    const payload: unknown = JSON.parse(body['payload']);
    return typeof payload === 'object' && payload !== null && typeof (payload as { type?: unknown }).type === 'string' ? (payload as { type: string }).type : undefined;
  } catch {
    return undefined;
  }
}
