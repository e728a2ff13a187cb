/** What a handler learns about the message besides its envelope. */
export interface ConsumeContext {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  attempt: number;
  /** When this delivery first failed (ms since the epoch); undefined on its first try. */
  failingSince?: number;
}
