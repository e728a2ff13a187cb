import { createLogger } from '@gatehouse/observability';
import type { Consumer } from 'kafkajs';
import { ResilientConsumer } from './resilient-consumer';

/** Just enough of a kafkajs consumer: its events, and whether it was disconnected. */
class FakeConsumer {
  readonly events = { CRASH: 'consumer.crash' } as const;
  private readonly listeners: ((event: { payload: { error: Error; restart: boolean } }) => void)[] = [];
  disconnected = false;
  on(_event: string, listener: (event: { payload: { error: Error; restart: boolean } }) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }
  crash(restart: boolean): void {
    for (const listener of this.listeners) listener({ payload: { error: new Error('Failed to find group coordinator'), restart } });
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition never held');
};

describe('ResilientConsumer', () => {
  it('replaces a consumer kafkajs will not restart, and leaves the rest to kafkajs', async () => {
    const made: FakeConsumer[] = [];
    const setUp: FakeConsumer[] = [];
    const resilient = new ResilientConsumer(
      () => {
        const consumer = new FakeConsumer();
        made.push(consumer);
        return consumer as unknown as Consumer;
      },
      async (consumer) => void setUp.push(consumer as unknown as FakeConsumer),
      createLogger({ service: 'test', level: 'silent' }),
      10,
    );
    await resilient.start();
    expect(setUp).toHaveLength(1);

    made[0]?.crash(true); // kafkajs restarts this one itself
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(made).toHaveLength(1);

    made[0]?.crash(false); // a non-retriable crash: kafkajs gives up on it, we do not
    await until(() => setUp.length === 2);
    expect(made[0]?.disconnected).toBe(true);
    expect(resilient.current).toBe(made[1]);

    await resilient.close();
    made[1]?.crash(false); // closing: nothing more is started
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(made).toHaveLength(2);
  });
});
