import type { TopicMessages } from 'kafkajs';
import { CoalescingSender, type BatchProducer } from './coalescing-sender';

/** A producer whose requests finish when the test says so, recording what each carried. */
class HeldProducer implements BatchProducer {
  readonly requests: TopicMessages[][] = [];
  private readonly finishers: ((error?: Error) => void)[] = [];
  failWhen: (batch: TopicMessages[]) => Error | undefined = () => undefined;

  sendBatch({ topicMessages }: { acks: number; topicMessages: TopicMessages[] }): Promise<unknown> {
    this.requests.push(topicMessages);
    const failure = this.failWhen(topicMessages);
    return new Promise((resolve, reject) => this.finishers.push((error) => (error ?? failure ? reject(error ?? failure) : resolve(undefined))));
  }

  /** Finishes the oldest unfinished request. */
  async finish(error?: Error): Promise<void> {
    const next = this.finishers.shift();
    if (!next) throw new Error('no request in flight');
    next(error);
    await new Promise((resolve) => setImmediate(resolve));
  }

  get inFlight(): number {
    return this.finishers.length;
  }
}

const values = (request: TopicMessages[] | undefined) => (request ?? []).flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.value)}`));
const one = (topic: string, value: string): TopicMessages[] => [{ topic, messages: [{ key: value, value }] }];

describe('CoalescingSender', () => {
  it('sends at once when idle, and carries every send made meanwhile in the next request, in order', async () => {
    const producer = new HeldProducer();
    const sender = new CoalescingSender(async () => producer);
    const first = sender.send(one('a', '1'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [sender.send(one('a', '2')), sender.send(one('b', '3')), sender.send(one('a', '4'))];
    expect(producer.requests).toHaveLength(1);
    await producer.finish();
    await first;
    expect(producer.requests).toHaveLength(2);
    expect(values(producer.requests[1])).toEqual(['a:2', 'a:4', 'b:3']);
    await producer.finish();
    await Promise.all(later);
    expect(producer.inFlight).toBe(0);
  });

  it('keeps one request in flight at a time', async () => {
    const producer = new HeldProducer();
    const sender = new CoalescingSender(async () => producer);
    const sends = [sender.send(one('a', '1'))];
    await new Promise((resolve) => setImmediate(resolve));
    sends.push(sender.send(one('a', '2')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.inFlight).toBe(1);
    await producer.finish();
    expect(producer.inFlight).toBe(1);
    await producer.finish();
    await Promise.all(sends);
  });

  it('splits what is waiting into requests within the message limit', async () => {
    const producer = new HeldProducer();
    const sender = new CoalescingSender(async () => producer, { maxMessages: 2 });
    const first = sender.send(one('a', '0'));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = ['1', '2', '3'].map((v) => sender.send(one('a', v)));
    await producer.finish();
    await producer.finish();
    await producer.finish();
    await Promise.all([first, ...rest]);
    expect(producer.requests.map(values)).toEqual([['a:0'], ['a:1', 'a:2'], ['a:3']]);
  });

  it('fails only the caller whose message the broker refuses, and still delivers the others', async () => {
    const producer = new HeldProducer();
    producer.failWhen = (batch) => (values(batch).includes('a:big') ? new Error('The request included a message larger than the max message size the server will accept') : undefined);
    const sender = new CoalescingSender(async () => producer);
    const first = sender.send(one('a', '1'));
    await new Promise((resolve) => setImmediate(resolve));
    const good = sender.send(one('a', '2'));
    const bad = sender.send(one('a', 'big'));
    const rejected = expect(bad).rejects.toThrow(/larger than the max message size/);
    await producer.finish();
    await producer.finish(); // the shared request: refused
    await producer.finish(); // '2' on its own
    await producer.finish(); // 'big' on its own: refused
    await Promise.all([first, good, rejected]);
    expect(producer.requests.map(values)).toEqual([['a:1'], ['a:2', 'a:big'], ['a:2'], ['a:big']]);
  });

  it('passes a lone failure straight to its caller, and keeps serving later sends', async () => {
    const producer = new HeldProducer();
    const sender = new CoalescingSender(async () => producer);
    const failed = sender.send(one('a', '1'));
    const rejected = expect(failed).rejects.toThrow('broker down');
    await new Promise((resolve) => setImmediate(resolve));
    await producer.finish(new Error('broker down'));
    await rejected;
    const next = sender.send(one('a', '2'));
    await new Promise((resolve) => setImmediate(resolve));
    await producer.finish();
    await next;
    expect(producer.requests).toHaveLength(2);
  });
});
