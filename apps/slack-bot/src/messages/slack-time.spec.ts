import { slackTime } from './slack-time';

describe('slackTime', () => {
  it("shows a moment in the reader's time zone, with a UTC fallback", () => {
    expect(slackTime('2026-11-22T15:30:00.000Z')).toBe('<!date^1795361400^{date_short_pretty} at {time}|2026-11-22 15:30 UTC>');
  });

  it('says so when the moment is unknown', () => {
    expect(slackTime(undefined)).toBe('an unknown time');
    expect(slackTime('soon')).toBe('an unknown time');
  });
});
