import { SlackPacer } from './slack-pacer';
import { pacedFetch, slackCallOf } from './paced-fetch';

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

describe('pacedFetch', () => {
  it("answers a call that would wait past its use (an ephemeral, a modal) with ratelimited at once, and sends the rest", async () => {
    const pacer = new SlackPacer();
    const sent: string[] = [];
    const fetchFn = (async (input: string | URL | Request) => {
      sent.push(String(input));
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    }) as typeof fetch;
    const paced = pacedFetch(pacer, fetchFn);
    pacer.rateLimited('chat.postEphemeral', 30);
    const stale = await paced('https://slack.com/api/chat.postEphemeral', { method: 'POST', body: 'channel=C1&user=U1&text=no' });
    expect(await stale.json()).toMatchObject({ ok: false, error: 'ratelimited' });
    await paced('https://slack.com/api/users.info', { method: 'POST', body: 'user=U1' });
    expect(sent).toEqual(['https://slack.com/api/users.info']);
  });

  it('tells the pacer about a 429, so the next call of that method waits Retry-After', async () => {
    let now = 0;
    const pacer = new SlackPacer(() => now);
    const paced = pacedFetch(pacer, (async () => new Response('{"ok":false,"error":"ratelimited"}', { status: 429, headers: { 'retry-after': '7' } })) as typeof fetch);
    await paced('https://slack.com/api/chat.update', { method: 'POST', body: 'channel=C1' });
    expect(pacer.reserve('chat.update', 'C1')).toBe(7000);
    now += 7000;
    expect(pacer.reserve('chat.update', 'C1')).toBe(0);
  });
});
