import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens look like `ghk_<id>_<secret>`: the id finds the row, the secret proves possession.
 * Only SHA-256 of the whole token is stored. The secret is 256 random bits, so a fast hash
 * is enough (a slow password hash protects low-entropy secrets, which these are not).
 */
const PATTERN = /^ghk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedToken {
  id: string;
  token: string;
  hash: string;
}

export function mintToken(): MintedToken {
  const id = randomBytes(8).toString('hex');
  const token = `ghk_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function parseTokenId(token: string): string | undefined {
  return PATTERN.exec(token)?.[1];
}

/** Constant-time comparison of the presented token's hash with the stored one. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
