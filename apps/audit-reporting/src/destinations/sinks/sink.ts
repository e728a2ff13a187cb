import type { AuditRecord } from '@gatehouse/contracts';

/** One record on its way: the record, and the line its destination's format makes of it. */
export interface Outgoing {
  record: AuditRecord;
  line: string;
}

/**
 * Where a destination's records go; `send` resolves once they are taken (or throws a
 * DestinationError). `close` lets go of connections when the service stops.
 */
export interface Sink {
  send(batch: readonly Outgoing[]): Promise<void>;
  close?(): Promise<void>;
}
