import { z } from 'zod';

/**
 * gateway → slack-bot: one delivery from Slack (an event, an interaction, a slash command or
 * an options request), after the gateway proved it came from Slack (or from the relay). The
 * body is Slack's own, parsed; slack-bot acts for the Slack user in it.
 */
export const slackDeliverySchema = z.object({
  /**
   * How it was proved to come from Slack: Slack's v0 signature or a relay token (plus the
   * signature when forwarded), checked by the gateway; or Slack's own Socket Mode connection,
   * which slack-bot opened with the app-level token (such deliveries never cross Kafka).
   */
  proof: z.enum(['signature', 'relay', 'socket_mode']),
  /** The relay token that carried it, when relayed. */
  relayTokenId: z.string().optional(),
  body: z.record(z.string(), z.unknown()),
  /** Slack's X-Slack-Retry-Num: this delivery was sent before. */
  retryNum: z.number().int().min(0).optional(),
  retryReason: z.string().optional(),
});

/** slack-bot's acknowledgement: what the gateway answers Slack (empty, modal errors, options…). */
export const slackAckSchema = z.object({
  /** The HTTP body for Slack; absent means an empty 200. */
  body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

export type SlackDelivery = z.infer<typeof slackDeliverySchema>;
export type SlackAck = z.infer<typeof slackAckSchema>;
