import type { App } from '@slack/bolt';
import type { FlowSummary } from '@gatehouse/contracts';
import { KafkaRequester } from '@gatehouse/messaging';
import { SlackIdentity, type Via } from '../identity/slack-identity';

export type Offered = { ok: true; flows: FlowSummary[] } | { ok: false; message: string };

/** How long a person's flows are reused while they fill in one modal. */
const REUSE_MS = 60_000;
const MAX_REMEMBERED = 1000;

/**
 * The flows approval offers the Slack user of a delivery (`flows.list` as them). Opening the
 * modal always asks; choosing a flow and type-ahead — a delivery per few keystrokes — reuse
 * that answer for a minute rather than ask approval over Kafka each time.
 */
export class OfferedFlows {
  private readonly recent = new Map<string, { flows: FlowSummary[]; until: number }>();

  constructor(
    private readonly requester: KafkaRequester,
    private readonly identity: SlackIdentity,
  ) {}

  async fresh(client: App['client'], userId: string, via: Via): Promise<Offered> {
    const who = await this.identity.of(client, userId, via);
    if (!who.ok) return who;
    const reply = await this.requester.request('flows.list', 'flows', { principal: who.principal });
    if (!reply.ok) return { ok: false, message: reply.message };
    this.remember(keyOf(userId, via), reply.flows);
    return { ok: true, flows: reply.flows };
  }

  async reused(client: App['client'], userId: string, via: Via): Promise<Offered> {
    const kept = this.recent.get(keyOf(userId, via));
    if (kept && kept.until > Date.now()) return { ok: true, flows: kept.flows };
    return this.fresh(client, userId, via);
  }

  private remember(key: string, flows: FlowSummary[]): void {
    if (this.recent.size >= MAX_REMEMBERED) {
      const now = Date.now();
      for (const [k, v] of this.recent) if (v.until <= now) this.recent.delete(k);
      // Still full: the oldest entry (Maps keep insertion order) makes room.
      if (this.recent.size >= MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value as string);
    }
    this.recent.delete(key);
    this.recent.set(key, { flows, until: Date.now() + REUSE_MS });
  }
}

/** A relayed delivery acts through another channel, so it is kept apart. */
function keyOf(userId: string, via: Via): string {
  return `${userId}/${via.relayTokenId ?? ''}`;
}
