/** What a handler learns about the message besides its envelope. */
export interface ConsumeContext {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  attempt: number;
}
