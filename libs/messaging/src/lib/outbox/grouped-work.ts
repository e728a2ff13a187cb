export interface GroupedWorkOptions<T> {
  /** Most items one group carries (default 64). */
  maxItems?: number;
  /**
   * Groups run at once (default 1). With two, one group's round trips (its commit, the publish
   * after it) overlap the next group's work instead of leaving the database idle.
   */
  concurrency?: number;
  /**
   * Items with the same key never share a group, nor run in two groups at once: the later one
   * waits for a group after the one holding its key, so work on one key runs one item at a time
   * and in the order handed in.
   */
  keyOf?: (item: T) => string;
  /** Told when a group's transaction failed and its items are being done one by one. */
  onGroupFailed?: (error: unknown, size: number) => void;
  /**
   * A free slot starts on the item at once, instead of after the other handlers of this tick
   * (default false): for work that mostly arrives alone, where waiting a turn of the event loop
   * only delays it; what arrives while the slots are busy is grouped either way.
   */
  startAtOnce?: boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for work done in a database transaction. Each transaction costs round trips, a
 * commit and a WAL flush whatever it holds, so under load one transaction for many items is
 * much cheaper than one each. Items handed in while `concurrency` groups run wait for one of
 * them to finish, and the next group carries all of them: no added delay when idle, one
 * transaction for many when busy.
 *
 * `together` does a group's work in one transaction and returns each item's result in order,
 * or `undefined` when it committed nothing and the items must be done one by one (a message of
 * the group had been handled already, say). If it throws, it committed nothing either, and each
 * item is done `alone`, so one item's failure fails only that item.
 */
export class GroupedWork<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private running = 0;
  private readonly busyKeys = new Set<string>();
  private readonly maxItems: number;
  private readonly concurrency: number;

  constructor(
    private readonly together: (items: readonly T[]) => Promise<readonly R[] | undefined>,
    private readonly alone: (item: T) => Promise<R>,
    private readonly options: GroupedWorkOptions<T> = {},
  ) {
    this.maxItems = options.maxItems ?? 64;
    this.concurrency = options.concurrency ?? 1;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running < this.concurrency) {
        this.running += 1;
        if (this.options.startAtOnce) void this.drain();
        // Let the other handlers of this tick hand in theirs first.
        else setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (let group = this.take(); group.length > 0; group = this.take()) {
        try {
          await this.run(group);
        } finally {
          for (const waiting of group) this.busyKeys.delete(this.keyOf(waiting.item));
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  private keyOf(item: T): string {
    return this.options.keyOf?.(item) ?? '';
  }

  /** Settles every item of the group, whatever `together`, `alone` or the hook do. */
  private async run(group: readonly Waiting<T, R>[]): Promise<void> {
    if (group.length > 1) {
      let results: readonly R[] | undefined;
      try {
        results = await this.together(group.map((w) => w.item));
      } catch (error) {
        try {
          this.options.onGroupFailed?.(error, group.length);
        } catch {
          // A failing hook must not strand the group.
        }
        results = undefined;
      }
      if (results) {
        // A group that committed but answered for the wrong number of items is a bug in
        // `together`: its callers hear so (their messages are retried; the inbox makes that safe).
        if (results.length === group.length) group.forEach((waiting, i) => waiting.resolve(results[i] as R));
        else for (const waiting of group) waiting.reject(new Error(`a group of ${group.length} items returned ${results.length} results`));
        return;
      }
    }
    for (const waiting of group) {
      await Promise.resolve()
        .then(() => this.alone(waiting.item))
        .then(waiting.resolve, waiting.reject);
    }
  }

  /** The oldest items that fit a group, at most one per key and none of a key another group holds. */
  private take(): Waiting<T, R>[] {
    if (!this.options.keyOf) return this.queue.splice(0, this.maxItems);
    const taken: Waiting<T, R>[] = [];
    for (let i = 0; i < this.queue.length && taken.length < this.maxItems; ) {
      const waiting = this.queue[i] as Waiting<T, R>;
      const key = this.keyOf(waiting.item);
      if (this.busyKeys.has(key)) {
        i += 1;
        continue;
      }
      this.busyKeys.add(key);
      taken.push(waiting);
      this.queue.splice(i, 1);
    }
    return taken;
  }
}
