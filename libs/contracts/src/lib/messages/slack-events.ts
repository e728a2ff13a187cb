import { z } from 'zod';
import { actorSchema } from '../identity/actor';

/**
 * slack-bot could not deliver something to Slack and has stopped trying (a lasting error such
 * as `not_in_channel`, or a passing one that lasted too long). Audited, so that "the approvers
 * were never asked" is on the record with its cause.
 */
export const slackDeliveryFailedEventSchema = z.object({
  requestId: z.uuid(),
  /** The system component that gave up: `system: slack-bot`. */
  actor: actorSchema,
  /** The Web API method that failed (`chat.postMessage`). */
  method: z.string(),
  /** The channel, DM or user it was meant for. */
  destination: z.string(),
  /** What it was: `approval message`, `message to the requester`, … */
  purpose: z.string(),
  /** Slack's error code (`not_in_channel`), `http_503`, `network`… */
  error: z.string(),
  /** The error in words, with what to do about it. */
  description: z.string(),
  attempts: z.number().int().min(1),
});

export type SlackDeliveryFailedEvent = z.infer<typeof slackDeliveryFailedEventSchema>;
