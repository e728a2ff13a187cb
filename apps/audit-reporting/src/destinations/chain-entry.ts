import type { ShippedEvent } from './sinks/sink';

/**
 * A record or checkpoint of the chain on its way to the destinations. A record stays the text
 * it is stored as until something needs its fields: a `cloudevents`
 * destination that filters by type only ships that text as it is, never parsed and written again.
 */
export class ChainEntry {
  private constructor(
    /** The record's sequence; a checkpoint's size (the record it ends on). */
    readonly sequence: string,
    readonly type: string,
    private parsed: ShippedEvent | undefined,
    /** The stored JSON (a record read back from the table, or kept as text since its append). */
    readonly text: string | undefined,
  ) {}

  static of(event: ShippedEvent): ChainEntry {
    return new ChainEntry(event.sequence, event.type, event, undefined);
  }

  static stored(sequence: string, type: string, text: string): ChainEntry {
    return new ChainEntry(sequence, type, undefined, text);
  }

  get event(): ShippedEvent {
    return (this.parsed ??= JSON.parse(this.text as string) as ShippedEvent);
  }
}
