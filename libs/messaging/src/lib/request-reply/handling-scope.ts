import { AsyncLocalStorage } from 'node:async_hooks';
import type { TopicMessages } from 'kafkajs';
import type { CommittedMessage } from '../outbox/outbox-relay';

/** One commit's events, waiting to go out with an answer, and the relay that publishes them. */
export interface Rider {
  relay: {
    /** Resolves whether `along` went out with them, in the same produce request. */
    publishCommitted(messages: readonly CommittedMessage[], along?: readonly TopicMessages[]): Promise<boolean>;
  };
  messages: readonly CommittedMessage[];
}

/**
 * What the code handling one message may need to know of it, in one async context (one store
 * for both: each AsyncLocalStorage costs a little on every promise). Mutable: the deadline is
 * released and the riders taken once the answer is given, and work the handler left running
 * shares this context without a caller waiting on it.
 */
export interface HandlingScope {
  /** When the caller stops waiting (epoch ms). */
  deadlineAt: number | undefined;
  /** While a message is being answered: its id, and the events of its work, to go out with the answer. */
  answering?: string;
  riders?: Rider[];
}

export const handlingScope = new AsyncLocalStorage<HandlingScope>();
