import type { Envelope } from '@gatehouse/contracts';
import type { Logger, Metrics } from '@gatehouse/observability';
import type { MessageHandler } from '@nestjs/microservices';
import type { KafkaMessage } from 'kafkajs';
import type { ConsumeContext } from './consume-context';
import type { DeadLetters } from './dead-letters';
import { isTransientError } from './errors';
import { runInKeyLanes, type Slots } from './key-lanes';
import { errorText, retryDelayMs, sleep } from './retries';

/** A message of a batch handed to a batch handler. */
export interface BatchItem {
  envelope: Envelope;
  message: KafkaMessage;
  /** The message's key: a batch handled one by one keeps the order per key. */
  key: Buffer | null;
  context: Omit<ConsumeContext, 'attempt'>;
}

/** What a batch run needs of the consumer it runs in. */
export interface BatchRunnerDeps {
  log: Logger;
  metrics?: Metrics;
  slots: Slots;
  retryBaseMs: number;
  transientRetryMs: number;
  deadLetters: DeadLetters;
  /** Runs a handler to its end. */
  call(handler: MessageHandler, data: unknown, context: ConsumeContext): Promise<unknown>;
  /** One message through a handler, retried and dead-lettered as any other. */
  handleOne(handler: MessageHandler, item: BatchItem, stillOurs: () => boolean): Promise<void>;
}

/**
 * A batch handler's envelopes (`@EventPattern(types, { batch: true })`) in one call: tried again
 * whole while it fails for a passing reason (and dead-lettered all, with the reason, once that
 * has lasted transientRetryMs); failing otherwise, its messages are handled one by one, so the
 * one at fault is retried and dead-lettered alone while the others go through.
 */
export class BatchRunner {
  constructor(private readonly deps: BatchRunnerDeps) {}

  /** False when the partition was handed on midway. */
  async run(handler: MessageHandler, items: readonly BatchItem[], stillOurs: () => boolean): Promise<boolean> {
    const { log, retryBaseMs, transientRetryMs, deadLetters } = this.deps;
    const transientUntil = Date.now() + transientRetryMs;
    const first = items[0] as BatchItem;
    let failingSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.call(
          handler,
          items.map((item) => item.envelope),
          { ...first.context, attempt, failingSince },
        );
        this.counted(items, 'handled');
        return true;
      } catch (error) {
        failingSince ??= Date.now();
        if (!isTransientError(error)) {
          log.warn({ err: error, topic: first.context.topic, messages: items.length }, 'batch handler failed; handling its messages one by one');
          const one = Object.assign((envelope: Envelope, context: ConsumeContext) => handler([envelope], context), { isEventHandler: true }) as MessageHandler;
          return runInKeyLanes(items, this.deps.slots, (item) => this.deps.handleOne(one, item, stillOurs), stillOurs);
        }
        if (Date.now() >= transientUntil) {
          log.error({ err: error, topic: first.context.topic, messages: items.length, attempt }, 'batch handler still failing; dead-lettering its messages');
          for (const item of items) await deadLetters.send(item.context.topic, item.message, item.context, `${errorText(error)} (still failing after ${attempt} attempts)`, attempt, item.envelope.type);
          return true;
        }
        if (!stillOurs()) throw error;
        this.counted(items, 'retried');
        log.warn({ err: error, topic: first.context.topic, messages: items.length, attempt }, 'a dependency is unavailable; retrying the batch');
        await sleep(retryDelayMs(retryBaseMs, attempt));
      }
    }
  }

  private counted(items: readonly BatchItem[], outcome: 'handled' | 'retried'): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    const byType = new Map<string, number>();
    for (const { envelope } of items) byType.set(envelope.type, (byType.get(envelope.type) ?? 0) + 1);
    const topic = (items[0] as BatchItem).context.topic;
    for (const [type, count] of byType) metrics.messagesConsumed.inc({ topic, type, outcome }, count);
  }
}
