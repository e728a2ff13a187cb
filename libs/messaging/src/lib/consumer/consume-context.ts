import type { Envelope } from '@gatehouse/contracts';

/** What a handler learns about the message besides its envelope. */
export interface ConsumeContext {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  attempt: number;
}

export type IncomingMessage<T extends Envelope = Envelope> = T;
