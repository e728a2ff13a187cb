import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a signed request more than five minutes old (or ahead) is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256 over `v0:<timestamp>:<raw body>` with
 * the app's signing secret, compared in constant time on the raw bytes as they arrived.
 */
export function verifySlackSignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return { ok: false, reason: 'missing X-Slack-Signature or X-Slack-Request-Timestamp' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'X-Slack-Request-Timestamp is not a number' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away (a replay, or a clock out of sync)' };
  }
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`);
  const presented = Buffer.from(signature);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'X-Slack-Signature does not match the body' };
  return { ok: true };
}
