import { hashToken, mintToken, parseTokenId, tokenMatches } from './api-token-format';

describe('API token format', () => {
  it('mints distinct tokens whose id can be read back and whose hash matches', () => {
    const a = mintToken();
    const b = mintToken();
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^ghk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseTokenId(a.token)).toBe(a.id);
    expect(tokenMatches(a.token, a.hash)).toBe(true);
    // The secret is base64url and may itself hold '_': take everything after `ghk_<id>_`.
    expect(a.hash).not.toContain(a.token.slice('ghk_'.length + 16 + 1));
  });

  it('rejects a token with a changed secret, and malformed tokens', () => {
    const { token, hash } = mintToken();
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(tokenMatches(tampered, hash)).toBe(false);
    expect(parseTokenId('Bearer nonsense')).toBeUndefined();
    expect(parseTokenId(`${token}x`)).toBeUndefined();
    expect(tokenMatches(token, 'short')).toBe(false);
    expect(hashToken(token)).toBe(hash);
  });
});
