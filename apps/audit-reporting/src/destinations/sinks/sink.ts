/**
 * A CloudEvent the chain ships: an audit record, or a signed checkpoint of the chain (type
 * `gatehouse.audit.checkpoint`), which destinations keep as the chain's anchor outside the
 * database.
 */
export interface ShippedEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  sequence: string;
  correlationid?: string;
  hash?: string;
  previoushash?: string;
  data: unknown;
}

/** A record's line as a sink takes it: text, or its UTF-8 bytes as read from the table. */
export type Line = string | Buffer;

/** One event on its way: the event, the line its destination's format makes of it, and what sinks label it with. */
export interface Outgoing {
  record: ShippedEvent;
  line: string;
  /** The actor in words ("ada@example.com (api)"; "system: audit-reporting" for a checkpoint). */
  by: string;
  /** A refusal or a failure (OCSF status Failure). */
  failed: boolean;
}

/**
 * Where a destination's records go; `send` resolves once they are taken (or throws a
 * DestinationError). `close` lets go of connections when the service stops.
 */
export interface Sink {
  send(batch: readonly Outgoing[]): Promise<void>;
  /**
   * For sinks that need nothing but the lines (file, stdout, webhook): a page read as the
   * records' stored text is sent with no object per record.
   */
  sendLines?(lines: readonly Line[]): Promise<void>;
  close?(): Promise<void>;
}

/** A sink that needs nothing but the lines: a batch is sent as its lines. */
export abstract class LineSink implements Sink {
  send(batch: readonly Outgoing[]): Promise<void> {
    return this.sendLines(batch.map((o) => o.line));
  }

  abstract sendLines(lines: readonly Line[]): Promise<void>;
}
