import { z } from 'zod';
import { actorSchema, slackUserIdSchema } from '../identity/actor';

/**
 * Linking a Slack account to an Okta account (gateway ↔ slack-bot). slack-bot hands the person a
 * one-time link token in Slack; the gateway signs them in with Okta (OpenID Connect) and then
 * completes the link with what Okta's signed ID token says.
 */
const linkToken = z.string().min(20).max(200);

/** gateway → slack-bot: whose link token is this, and may it still be used? (Nothing is consumed.) */
export const beginLinkQuerySchema = z.object({ token: linkToken });
export const beginLinkReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), slackUserId: slackUserIdSchema }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);

/** gateway → slack-bot: the person behind the token signed in with Okta as this user. Consumes the token. */
export const completeLinkCommandSchema = z.object({
  token: linkToken,
  /** The ID token's `iss` and `sub`: who Okta says signed in. */
  issuer: z.string().min(1),
  subject: z.string().min(1),
  email: z.email(),
  displayName: z.string().max(200).optional(),
});
export const completeLinkReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), slackUserId: slackUserIdSchema, email: z.email() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);

/** Audit: a Slack account was linked to an Okta account, or the link removed. */
export const identityLinkedEventSchema = z.object({
  actor: actorSchema,
  slackUserId: slackUserIdSchema,
  email: z.email(),
  issuer: z.string(),
  subject: z.string(),
  /** The email Slack's profile showed, when it differs: the disagreement the link settles. */
  slackEmail: z.email().optional(),
});
export const identityUnlinkedEventSchema = z.object({ actor: actorSchema, slackUserId: slackUserIdSchema, email: z.email() });

export type BeginLinkReply = z.infer<typeof beginLinkReplySchema>;
export type CompleteLinkReply = z.infer<typeof completeLinkReplySchema>;
