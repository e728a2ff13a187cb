import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

/** What a verified ID token says about the person who signed in. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  email: string;
  name?: string;
}

export type IdTokenCheck = { ok: true; claims: IdTokenClaims } | { ok: false; reason: string };

/** Clock skew allowed between Okta and this machine. */
const SKEW_SECONDS = 120;

/**
 * Verifies an OpenID Connect ID token as the spec asks (OIDC Core 3.1.3.7): an RS256 signature
 * by a key of the issuer's JWKS (by `kid`), then `iss`, `aud`, `exp`/`iat` and the `nonce` this
 * sign-in sent. Any failure names what was wrong.
 */
export function verifyIdToken(idToken: string, expected: { issuer: string; clientId: string; nonce: string; keys: readonly JsonWebKey[]; now?: number }): IdTokenCheck {
  const parts = idToken.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'the ID token is not a signed JWT' };
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString());
    claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  } catch {
    return { ok: false, reason: 'the ID token cannot be read' };
  }
  // Only RS256: never "none", never a symmetric algorithm keyed with a public key.
  if (header.alg !== 'RS256') return { ok: false, reason: `the ID token is signed with ${header.alg ?? 'nothing'}, not RS256` };
  const jwk = expected.keys.find((k) => (k as { kid?: string }).kid === header.kid);
  if (!jwk) return { ok: false, reason: `the ID token's key (${header.kid ?? 'no kid'}) is not among the issuer's keys` };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) return { ok: false, reason: "the ID token's signature does not match" };
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const aud = claims['aud'];
  if (claims['iss'] !== expected.issuer) return { ok: false, reason: `the ID token was issued by ${String(claims['iss'])}, not ${expected.issuer}` };
  if (!(aud === expected.clientId || (Array.isArray(aud) && aud.includes(expected.clientId)))) return { ok: false, reason: 'the ID token was issued to another application' };
  if (typeof claims['exp'] !== 'number' || claims['exp'] + SKEW_SECONDS < now) return { ok: false, reason: 'the ID token has expired' };
  if (typeof claims['iat'] === 'number' && claims['iat'] - SKEW_SECONDS > now) return { ok: false, reason: 'the ID token was issued in the future' };
  if (claims['nonce'] !== expected.nonce) return { ok: false, reason: 'the ID token does not belong to this sign-in (nonce)' };
  if (typeof claims['sub'] !== 'string' || typeof claims['email'] !== 'string') return { ok: false, reason: 'the ID token names no user or email: ask for the openid and email scopes' };
  return { ok: true, claims: { iss: claims['iss'] as string, sub: claims['sub'], email: claims['email'].toLowerCase(), ...(typeof claims['name'] === 'string' ? { name: claims['name'] } : {}) } };
}
