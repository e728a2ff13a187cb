import { generateKeyPairSync, sign, type JsonWebKey } from 'node:crypto';
import { verifyIdToken } from './id-token';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys: JsonWebKey[] = [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }];
const now = 1_800_000_000;
const good = { iss: 'https://acme.okta.com', aud: '0oaclient', sub: '00uada', email: 'Ada@Example.com', name: 'Ada', iat: now, exp: now + 3600, nonce: 'n1' };

function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }, key = privateKey): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const b = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${h}.${b}.${sign('sha256', Buffer.from(`${h}.${b}`), key).toString('base64url')}`;
}
const check = (token: string) => verifyIdToken(token, { issuer: 'https://acme.okta.com', clientId: '0oaclient', nonce: 'n1', keys, now });

describe('verifyIdToken', () => {
  it('accepts a token signed by the issuer for this app and this sign-in, and reads who signed in', () => {
    expect(check(jwt(good))).toEqual({ ok: true, claims: { iss: 'https://acme.okta.com', sub: '00uada', email: 'ada@example.com', name: 'Ada' } });
  });

  it.each([
    ['another key', jwt(good, { alg: 'RS256', kid: 'k1' }, other.privateKey), "signature does not match"],
    ['an unknown kid', jwt(good, { alg: 'RS256', kid: 'k9' }), 'not among the issuer'],
    ['alg none', `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.`, 'not RS256'],
    ['HS256', jwt(good, { alg: 'HS256', kid: 'k1' }), 'not RS256'],
    ['another issuer', jwt({ ...good, iss: 'https://evil.example' }), 'issued by https://evil.example'],
    ['another audience', jwt({ ...good, aud: '0oaother' }), 'another application'],
    ['an expired token', jwt({ ...good, exp: now - 600 }), 'expired'],
    ['another sign-in (nonce)', jwt({ ...good, nonce: 'n2' }), 'nonce'],
    ['no email', jwt({ ...good, email: undefined }), 'no user or email'],
    ['garbage', 'not-a-jwt', 'not a signed JWT'],
  ])('refuses %s', (_what, token, reason) => {
    const result = check(token);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('allows two minutes of clock skew on expiry', () => {
    expect(check(jwt({ ...good, exp: now - 60 })).ok).toBe(true);
  });
});
