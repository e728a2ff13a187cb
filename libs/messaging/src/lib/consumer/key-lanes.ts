/**
 * Bounds how much work runs at once across all partitions of one consumer. Waiters are served
 * in arrival order, so a long lane cannot starve the others.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`Slots: size must be a positive integer, got ${size}`);
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Runs the messages of one fetched batch in lanes, one lane per key: a key's messages one after
 * another in offset order, different keys side by side (each message taking a slot). Order
 * matters only per key (every event of one access request has its id as key), so this keeps the
 * order that matters while a partition's work no longer waits on unrelated requests. A lane
 * stops at its first failure; the others carry on and the first error is thrown at the end.
 * Resolves true when every message was handled, false when `shouldContinue` stopped it early.
 */
export async function runInKeyLanes<M extends { key: Buffer | string | null }>(
  messages: readonly M[],
  slots: Slots,
  handle: (message: M) => Promise<void>,
  shouldContinue: () => boolean = () => true,
): Promise<boolean> {
  const lanes = new Map<string, M[]>();
  for (const message of messages) {
    // Messages without a key share one lane: nothing says they may be reordered.
    const key = message.key === null ? '' : `k${message.key.toString()}`;
    const lane = lanes.get(key);
    if (lane) lane.push(message);
    else lanes.set(key, [message]);
  }
  let handled = 0;
  const results = await Promise.allSettled(
    [...lanes.values()].map(async (lane) => {
      for (const message of lane) {
        if (!shouldContinue()) return;
        await slots.run(() => handle(message));
        handled++;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return handled === messages.length;
}
