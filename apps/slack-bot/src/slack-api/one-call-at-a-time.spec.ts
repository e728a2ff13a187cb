import { OneCallAtATime } from './one-call-at-a-time';

describe('OneCallAtATime', () => {
  it('makes one call for callers asking for the same key at once, and a new one after it settles', async () => {
    const calls: string[] = [];
    let release!: (value: string) => void;
    const gate = new OneCallAtATime<string>();
    const call = (key: string) => () => {
      calls.push(key);
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = gate.run('a', call('a'));
    const second = gate.run('a', call('a'));
    release('U1');
    await expect(first).resolves.toEqual({ value: 'U1', made: true });
    await expect(second).resolves.toEqual({ value: 'U1', made: false });
    expect(calls).toEqual(['a']);

    const third = gate.run('a', call('a'));
    release('U2');
    await expect(third).resolves.toEqual({ value: 'U2', made: true });
    expect(calls).toEqual(['a', 'a']);
  });

  it('gives every waiting caller the failure, and forgets it', async () => {
    const gate = new OneCallAtATime<string>();
    let fail!: (error: Error) => void;
    const failing = () => new Promise<string>((_resolve, reject) => (fail = reject));
    const first = gate.run('a', failing);
    const second = gate.run('a', failing);
    fail(new Error('ratelimited'));
    await expect(first).rejects.toThrow('ratelimited');
    await expect(second).rejects.toThrow('ratelimited');
    await expect(gate.run('a', () => Promise.resolve('U3'))).resolves.toEqual({ value: 'U3', made: true });
  });

  it('keeps keys apart', async () => {
    const gate = new OneCallAtATime<string>();
    const [a, b] = await Promise.all([gate.run('a', () => Promise.resolve('A')), gate.run('b', () => Promise.resolve('B'))]);
    expect([a.value, b.value]).toEqual(['A', 'B']);
    expect([a.made, b.made]).toEqual([true, true]);
  });
});
