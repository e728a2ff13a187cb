import { signSlackBody } from '@gatehouse/testing';
import { verifySlackSignature } from './slack-signature';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = Buffer.from('token=x&team_id=T1&user_id=U123&command=%2Faccess&text=help&trigger_id=1.2.3');
const now = 1_800_000_000;

describe('verifySlackSignature', () => {
  const signed = signSlackBody(secret, body, now);

  it('accepts what Slack signed', () => {
    expect(verifySlackSignature(secret, signed, body, now)).toEqual({ ok: true });
    expect(verifySlackSignature(secret, signed, body, now + 299)).toEqual({ ok: true });
  });

  it.each([
    ['a wrong signature', { ...signed, signature: signed.signature.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, body, now, 'does not match'],
    ['another secret', signSlackBody('other-secret', body, now), body, now, 'does not match'],
    ['an altered body', signed, Buffer.from(`${body.toString()}&text=admin`), now, 'does not match'],
    ['a stale timestamp', signed, body, now + 301, 'more than 5 minutes'],
    ['a timestamp from the future', signed, body, now - 301, 'more than 5 minutes'],
    ['missing headers', {}, body, now, 'missing X-Slack-Signature'],
    ['a signature of another length', { ...signed, signature: 'v0=abc' }, body, now, 'does not match'],
  ])('refuses %s', (_label, headers, raw, at, reason) => {
    expect(verifySlackSignature(secret, headers, raw, at)).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});
