/**
 * One call in flight per key: callers asking for a key already being fetched wait for that
 * fetch instead of making their own. Slack paces `users.lookupByEmail` and `conversations.open`
 * to 50 calls a minute; asks for one twenty-approver flow done at once (lanes, listeners), each
 * missing the cache, looked every approver up once per ask, queued behind the pacer for minutes
 * where twenty look-ups do.
 */
export class OneCallAtATime<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** The result of `call` for `key`, and whether this caller made the call (false: it joined one). */
  async run(key: string, call: () => Promise<T>): Promise<{ value: T; made: boolean }> {
    const joined = this.pending.get(key);
    if (joined) return { value: await joined, made: false };
    const made = call().finally(() => this.pending.delete(key));
    this.pending.set(key, made);
    return { value: await made, made: true };
  }
}
