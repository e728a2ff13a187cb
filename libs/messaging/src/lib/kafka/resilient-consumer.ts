import type { Consumer } from 'kafkajs';
import type { Logger } from '@gatehouse/observability';

/**
 * A kafkajs consumer that keeps consuming. kafkajs restarts a crashed consumer only when the
 * error is retriable; around a broker restart it can crash on one that is not ("Failed to find
 * group coordinator", "No broker available") and then stays stopped while the process looks
 * healthy — seen in the chaos soak, where provisioning-okta stopped granting for good. Such a
 * consumer is replaced by a new one (same group, so it resumes from the committed offsets),
 * again every `restartDelayMs` until one starts.
 */
export class ResilientConsumer {
  private consumer?: Consumer;
  private closed = false;
  private timer?: NodeJS.Timeout;

  constructor(
    /** Makes a consumer (same options each time). */
    private readonly create: () => Consumer,
    /** Connects, subscribes and runs it; resolves once it consumes. */
    private readonly setUp: (consumer: Consumer) => Promise<void>,
    private readonly log: Logger,
    private readonly restartDelayMs = 1000,
  ) {}

  /** The consumer now consuming (for commits). */
  get current(): Consumer | undefined {
    return this.consumer;
  }

  async start(): Promise<void> {
    const consumer = this.create();
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.closed || this.consumer !== consumer) return;
      this.log.error({ err: payload.error }, 'Kafka consumer crashed and kafkajs will not restart it; starting a new one');
      this.replaceSoon(consumer);
    });
    await this.setUp(consumer);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private replaceSoon(old: Consumer): void {
    this.timer = setTimeout(() => {
      if (this.closed) return;
      void old
        .disconnect()
        .catch(() => undefined)
        .then(() => this.start())
        .then(() => this.log.info('Kafka consumer started again after its crash'))
        .catch((error: unknown) => {
          this.log.error({ err: error }, 'could not start the Kafka consumer again; trying again shortly');
          if (this.consumer) this.replaceSoon(this.consumer);
        });
    }, this.restartDelayMs);
  }
}
