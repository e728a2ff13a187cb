import { parseQuickRequest } from './quick-request';

describe('/access <flow> <target> <duration> <reason>', () => {
  it('reads the one-line form', () => {
    expect(parseQuickRequest(' production-database  read-only 1h INC-1234 replica lag ')).toEqual({
      ok: true,
      flow: 'production-database',
      target: 'read-only',
      durationSeconds: 3600,
      reason: 'INC-1234 replica lag',
    });
    expect(parseQuickRequest('staging deploy 30m')).toMatchObject({ ok: true, durationSeconds: 1800, reason: '' });
  });

  it('says what is wrong, with an example', () => {
    expect(parseQuickRequest('staging deploy')).toEqual({ ok: false, message: expect.stringContaining('To ask in one line: `/access <flow> <target> <duration> <reason>`') });
    expect(parseQuickRequest('staging deploy soon')).toEqual({ ok: false, message: expect.stringContaining('"soon" is not a duration like 30m, 1h or 1d') });
  });
});
