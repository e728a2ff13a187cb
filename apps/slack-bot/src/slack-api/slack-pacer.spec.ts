import { SlackPacer } from './slack-pacer';
import { slackCallOf } from './paced-fetch';

describe('SlackPacer', () => {
  let now = 0;
  const pacer = () => new SlackPacer(() => now);
  beforeEach(() => (now = 1_000_000));

  it('lets a short burst of messages into one channel go at once, then about one a second', () => {
    const p = pacer();
    const waits = [1, 2, 3, 4, 5].map(() => p.reserve('chat.postMessage', 'C1'));
    expect(waits).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('paces each channel on its own', () => {
    const p = pacer();
    for (let i = 0; i < 3; i++) p.reserve('chat.postMessage', 'C1');
    expect(p.reserve('chat.postMessage', 'C2')).toBe(0);
    expect(p.reserve('chat.postMessage', 'C1')).toBe(1000);
  });

  it('forgets a channel that went quiet', () => {
    const p = pacer();
    for (let i = 0; i < 5; i++) p.reserve('chat.postMessage', 'C1');
    now += 60_000;
    expect(p.reserve('chat.postMessage', 'C1')).toBe(0);
  });

  it("paces a Tier 3 method to 50 a minute after a minute's burst", () => {
    const p = pacer();
    const waits = Array.from({ length: 52 }, () => p.reserve('chat.update', 'C1'));
    expect(waits.slice(0, 50)).toEqual(Array(50).fill(0));
    expect(waits[50]).toBe(1200);
    expect(waits[51]).toBe(2400);
    now += 60_000;
    expect(p.reserve('chat.update', 'C1')).toBe(0);
  });

  it('holds every call of a method back until Retry-After has passed, and no other method', () => {
    const p = pacer();
    p.rateLimited('chat.update', 3);
    expect(p.reserve('chat.update', 'C1')).toBe(3000);
    expect(p.reserve('users.info')).toBe(0);
    now += 3000;
    expect(p.reserve('chat.update', 'C1')).toBe(0);
  });
});

describe('slackCallOf', () => {
  it('reads the method from the URL and the channel from the form body', () => {
    expect(slackCallOf('https://slack.com/api/chat.postMessage', 'channel=C123&text=hi')).toEqual({ method: 'chat.postMessage', channel: 'C123' });
    expect(slackCallOf('http://127.0.0.1:1234/api/users.info?x=1', undefined)).toEqual({ method: 'users.info', channel: undefined });
  });
});
