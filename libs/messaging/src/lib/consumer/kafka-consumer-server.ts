import { CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import { MESSAGES, parseReply, parseMessage, type Envelope, type MessageType, type QueryType } from '@gatehouse/contracts';
import { GROUP_LIVENESS, IDLE_FETCH_WAIT_MS } from '../kafka/group-liveness';
import { ResilientConsumer } from '../kafka/resilient-consumer';
import { currentDeadline, isExpired, releaseDeadline, runWithDeadline } from '../request-reply/deadline';
import { endGathering, gatherRiders, releaseRiders, sendWithRiders } from '../request-reply/reply-riders';
import { batchTopicsOf } from './batch-topics';
import { subscriptionsFor } from './subscriptions';
import { runWithCorrelation, type Logger, type Metrics } from '@gatehouse/observability';
import type { EachBatchPayload, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { HEADERS, headerString } from '../kafka/headers';
import type { KafkaConnection } from '../kafka/kafka-connection';
import type { ConsumeContext } from './consume-context';
import { isTransientError, NonRetryableError } from './errors';
import { runInKeyLanes, Slots } from './key-lanes';
import { HandledOffsets } from './handled-offsets';
import { replyEnvelope } from '../request-reply/reply-envelope';
import { BatchRunner, type BatchItem } from './batch-runner';
import { DeadLetters, describeType } from './dead-letters';
import { errorText, retryDelayMs, sleep } from './retries';

const COMMIT_EVERY_MS = 1000;

export interface KafkaConsumerServerOptions {
  connection: KafkaConnection;
  groupId: string;
  /** Service name, used as the `source` of replies it sends. */
  source: string;
  logger: Logger;
  metrics?: Metrics;
  /** Attempts per message before it goes to the dead-letter topic (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with jitter, up to 5 s (default 100 ms). */
  retryBaseMs?: number;
  /**
   * How long a message is retried while what it depends on is down (isTransientError: the
   * broker, PostgreSQL, a service that does not answer) before it is dead-lettered; such
   * failures do not count against maxAttempts (default 10 minutes).
   */
  transientRetryMs?: number;
  fromBeginning?: boolean;
  /** Partitions handled at once (default 6). */
  partitionsConsumedConcurrently?: number;
  /**
   * Messages handled at once across all partitions (default 16). Order holds per key, not per
   * partition; keep it below the database pool size, as each handler may hold a connection.
   */
  maxInFlight?: number;
}

/**
 * A NestJS microservice transport on kafkajs. Handlers are ordinary `@EventPattern(type)` /
 * `@MessagePattern(type)` methods, matched on the envelope type; the topics it subscribes to
 * are those of its handlers' types, so no handler can wait on a topic nobody listed. Every message is validated
 * against the contracts before a handler sees it; a message that fails validation, or keeps
 * failing its handler, goes to `<topic>.dlq` with the reason in its headers, and the consumer
 * carries on with the next one.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private resilient?: ResilientConsumer;
  private readonly log: Logger;
  private readonly slots: Slots;
  private readonly offsets = new HandledOffsets();
  /** Handlers by message type, looked up once: Nest's look-up tries JSON.parse on the pattern, and throws, for every message. */
  private readonly handlerOfType = new Map<string, MessageHandler | null>();
  private commitTimer?: NodeJS.Timeout;
  /** Topics (physical names) whose every handler takes whole batches: see handleAsBatch. */
  private readonly batchTopics = new Set<string>();
  private readonly deadLetters: DeadLetters;
  private readonly batches: BatchRunner;
  private readonly retryBaseMs: number;
  private readonly transientRetryMs: number;

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
    this.log = options.logger.child({ component: 'kafka-consumer', groupId: options.groupId });
    this.slots = new Slots(options.maxInFlight ?? 16);
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.transientRetryMs = options.transientRetryMs ?? 600_000;
    this.deadLetters = new DeadLetters(options.connection, this.log, options.metrics);
    this.batches = new BatchRunner({
      log: this.log,
      metrics: options.metrics,
      slots: this.slots,
      retryBaseMs: this.retryBaseMs,
      transientRetryMs: this.transientRetryMs,
      deadLetters: this.deadLetters,
      call: (handler, data, context) => this.call(handler, data, context),
      handleOne: (handler, item, stillOurs) => this.handleWithRetries(handler, item.envelope, item.message, item.context, stillOurs),
    });
  }

  async listen(callback: (...args: unknown[]) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const { connection } = this.options;
    const { types, topics } = subscriptionsFor(this.options.source, [...this.getHandlers().keys()]);
    if (topics.length === 0) {
      this.log.info('no message handlers: not consuming');
      return;
    }
    const handlers = new Map(types.map((type) => [type, this.handlerFor(type) as MessageHandler]));
    for (const topic of batchTopicsOf(this.options.source, handlers)) this.batchTopics.add(connection.physical(topic));
    await connection.ensureTopics(topics);
    this.resilient = new ResilientConsumer(
      () =>
        connection.kafka.consumer({
          // Groups carry the topic prefix too: members of one group must subscribe to the same
          // topics, so installations sharing a cluster must not share group names either.
          groupId: connection.physical(this.options.groupId),
          allowAutoTopicCreation: false,
          ...GROUP_LIVENESS,
          maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
        }),
      async (consumer) => {
        await consumer.connect();
        await consumer.subscribe({ topics: topics.map((t) => connection.physical(t)), fromBeginning: this.options.fromBeginning ?? true });
        const joined = new Promise<void>((resolve) => {
          const off = consumer.on(consumer.events.GROUP_JOIN, () => {
            off();
            resolve();
          });
        });
        // A partition this member no longer holds is not ours to commit.
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.offsets.keepOnly(payload.memberAssignment));
        // Offsets are committed once a second, by us: kafkajs's auto-commit commits after every
        // batch whatever its interval says, a write on the broker and a round trip before the next
        // fetch. After a crash the few messages seen again are no-ops thanks to the inbox.
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
          eachBatchAutoResolve: false,
          eachBatch: (payload) => this.handleBatch(payload),
        });
        await joined;
      },
      this.log,
    );
    await this.resilient.start();
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_EVERY_MS);
    this.log.info({ topics }, 'consuming');
  }

  async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.commit();
    await this.resilient?.close();
    this.resilient = undefined;
  }

  private async commit(): Promise<void> {
    const consumer = this.resilient?.current;
    const due = this.offsets.take();
    if (!consumer || due.length === 0) return;
    try {
      await consumer.commitOffsets(due);
    } catch (error) {
      // A rebalance under way, say: the next owner starts from the last commit, and the inbox
      // makes what it sees again a no-op.
      this.log.info({ err: error }, 'could not commit offsets; what they cover may be seen again');
    }
  }

  on(): never {
    throw new Error('KafkaConsumerServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    if (!this.resilient?.current) throw new Error('KafkaConsumerServer is not listening');
    return this.resilient.current as T;
  }

  /**
   * A batch's messages run in key lanes (see runInKeyLanes). Its offsets are resolved only
   * once all of it is handled: after a crash or a rebalance the batch comes again, and the
   * messages already handled are no-ops thanks to the inbox.
   */
  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    // kafkajs heartbeats only between batches; a long batch (Okta's rate limit) must too.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3000);
    let complete: boolean;
    const stillOurs = () => isRunning() && !isStale();
    try {
      complete = this.batchTopics.has(batch.topic)
        ? await this.handleAsBatch(batch.topic, batch.partition, batch.messages, stillOurs)
        : await runInKeyLanes(batch.messages, this.slots, (message) => this.handleMessage({ topic: batch.topic, partition: batch.partition, message }, stillOurs), stillOurs);
    } finally {
      clearInterval(beat);
    }
    if (!complete) return;
    resolveOffset(batch.lastOffset());
    this.offsets.handled(batch.topic, batch.partition, batch.lastOffset());
  }

  private handlerFor(type: string): MessageHandler | null {
    let handler = this.handlerOfType.get(type);
    if (handler === undefined) this.handlerOfType.set(type, (handler = this.getHandlerByPattern(type) ?? null));
    return handler;
  }

  /**
   * The message's envelope, validated against the contracts, and its handler; undefined when
   * there is nothing to handle: it was dead-lettered (not JSON, or not a valid message) or this
   * service has no handler for its type.
   */
  private async validated(topic: string, message: KafkaMessage, context: Omit<ConsumeContext, 'attempt'>): Promise<{ envelope: ValidEnvelope; handler: MessageHandler } | undefined> {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      await this.deadLetters.send(topic, message, context, 'value is not JSON', 1, 'unknown');
      return undefined;
    }
    const parsed = parseMessage(raw);
    if (!parsed.ok) {
      await this.deadLetters.send(topic, message, context, parsed.reason, 1, describeType(raw));
      return undefined;
    }
    const envelope = parsed.envelope;
    const handler = this.handlerFor(envelope.type);
    if (!handler) {
      // Topics carry several types; this service only cares about some.
      this.options.metrics?.messagesConsumed.inc({ topic, type: envelope.type, outcome: 'ignored' });
      return undefined;
    }
    return { envelope, handler };
  }

  /**
   * A fetched batch of a topic whose every handler takes whole batches (`@EventPattern(types,
   * { batch: true })`, given the envelopes as an array): each message validated as always (a bad
   * one dead-lettered), then one call a handler with its envelopes in offset order — no async
   * chain, correlation scope or framework call a message, which for a service appending
   * thousands of events a second was much of its CPU and most of what the garbage collector
   * copied. The handler must be idempotent, as every event handler is; BatchRunner retries it.
   */
  private async handleAsBatch(topic: string, partition: number, messages: readonly KafkaMessage[], stillOurs: () => boolean): Promise<boolean> {
    const groupId = this.options.groupId;
    const items: BatchItem[] = [];
    let handler: MessageHandler | undefined;
    for (const message of messages) {
      const context = { topic, partition, offset: message.offset, groupId };
      const valid = await this.validated(topic, message, context);
      if (!valid) continue;
      // Every handler on a batch topic is one method's (batchTopicsOf): any of them calls it.
      handler ??= valid.handler;
      items.push({ envelope: valid.envelope, message, key: message.key, context });
    }
    return handler ? this.batches.run(handler, items, stillOurs) : true;
  }

  /** Runs a handler to its end, whatever it returns (a value, a promise, an observable). */
  private async call(handler: MessageHandler, data: unknown, context: ConsumeContext): Promise<unknown> {
    return lastValueFrom(this.transformToObservable(await handler(data, context)), { defaultValue: undefined });
  }

  private async handleMessage({ topic, partition, message }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>, stillOurs: () => boolean): Promise<void> {
    const context = { topic, partition, offset: message.offset, groupId: this.options.groupId };
    const valid = await this.validated(topic, message, context);
    if (!valid) return;
    const { envelope, handler } = valid;
    // A query whose caller has stopped waiting is not worth answering; a command still is
    // (its sender was told it is queued), only what it waits on inside is cut short.
    if (MESSAGES[envelope.type].kind === 'query' && isExpired(envelope.deadline)) {
      this.options.metrics?.messagesConsumed.inc({ topic, type: envelope.type, outcome: 'expired' });
      this.log.info({ type: envelope.type, messageId: envelope.id, deadline: envelope.deadline }, 'query arrived after its caller stopped waiting; not answered');
      return;
    }
    // A command that arrives after its caller stopped waiting has nobody to hurry for: what it
    // asks others (the directory, say) waits their own timeouts, so it is done right, not fast.
    const deadline = isExpired(envelope.deadline) ? undefined : envelope.deadline;
    await runWithCorrelation({ correlationId: envelope.correlationId, causationId: envelope.id }, () =>
      runWithDeadline(deadline, async () => {
        try {
          const replyTo = headerString(message.headers, HEADERS.replyTo);
          if (!handler.isEventHandler && replyTo) {
            await this.answer(handler, envelope, message, replyTo, context, stillOurs);
            return;
          }
          await this.handleWithRetries(handler, envelope, message, context, stillOurs);
        } finally {
          // Whatever the handler left running is no longer waited on by its caller.
          releaseDeadline();
          // Events gathered for an answer that was never sent (building it failed) go out now.
          await endGathering();
        }
      }),
    );
  }

  private async handleWithRetries(
    handler: MessageHandler,
    envelope: Envelope,
    message: EachMessagePayload['message'],
    context: Omit<ConsumeContext, 'attempt'>,
    stillOurs: () => boolean,
  ): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const transientUntil = Date.now() + this.transientRetryMs;
    let failures = 0;
    let failingSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.call(handler, envelope, { ...context, attempt, failingSince });
        this.options.metrics?.messagesConsumed.inc({ topic: context.topic, type: envelope.type, outcome: 'handled' });
        return;
      } catch (error) {
        const reason = errorText(error);
        failingSince ??= Date.now();
        const transient = isTransientError(error);
        if (!transient) failures++;
        if (error instanceof NonRetryableError || failures >= maxAttempts || (transient && Date.now() >= transientUntil)) {
          this.log.error({ err: error, type: envelope.type, messageId: envelope.id, attempt }, 'handler failed; dead-lettering');
          await this.deadLetters.send(context.topic, message, context, reason, attempt, envelope.type);
          return;
        }
        // Partition handed to another member, or this one stopping: it is theirs (or the next
        // start's) to handle; thrown, so the batch's offsets stay where they are.
        if (!stillOurs()) throw error;
        this.options.metrics?.messagesConsumed.inc({ topic: context.topic, type: envelope.type, outcome: 'retried' });
        this.log.warn({ err: error, type: envelope.type, messageId: envelope.id, attempt, transient }, transient ? 'a dependency is unavailable; retrying' : 'handler failed; retrying');
        await sleep(retryDelayMs(this.retryBaseMs, attempt));
      }
    }
  }

  /**
   * Queries are answered, never retried: the caller has a deadline and can ask again. A command
   * that fails for a passing reason (PostgreSQL restarting, say) is tried again first: its sender
   * may have stopped waiting and been told it is queued, so it must still happen (command
   * handlers guard against a second run: an inbox, or their own key). If the partition is handed
   * on meanwhile, it is left to the next owner, unanswered; if the dependency stays down past
   * transientRetryMs, it is dead-lettered with the reason, and answered with the error.
   */
  private async answer(
    handler: MessageHandler,
    request: Envelope,
    message: EachMessagePayload['message'],
    replyTo: string,
    context: Omit<ConsumeContext, 'attempt'>,
    stillOurs: () => boolean,
  ): Promise<void> {
    let reply: Envelope;
    gatherRiders(request.id);
    try {
      const result = await this.resultOf(handler, request, context, stillOurs);
      // The answer is in hand: work the handler did not wait for is no longer on the caller's clock.
      releaseDeadline();
      const checked = parseReply(request.type as QueryType, result);
      reply = checked.ok
        ? replyEnvelope(request, this.options.source, { ok: true, result: checked.data })
        : replyEnvelope(request, this.options.source, { ok: false, error: checked.reason });
    } catch (thrown) {
      let error = thrown;
      if (thrown instanceof GaveUp) {
        // Thrown, so the batch's offsets stay where they are: the next owner handles it.
        if (thrown.why === 'not ours') {
          this.log.info({ type: request.type, messageId: request.id }, 'partition handed on while the command was failing; left to its next owner, unanswered');
          throw thrown.cause;
        }
        // A failure to dead-letter is thrown too: the offset stays, and it is tried again.
        await this.deadLetters.send(context.topic, message, context, `${errorText(thrown.cause)} (still failing after ${thrown.attempts} attempts)`, thrown.attempts, request.type);
        error = thrown.cause;
      }
      this.log.error({ err: error, type: request.type, messageId: request.id }, 'handler failed; answered with the error');
      reply = replyEnvelope(request, this.options.source, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
    // With the events the handler committed: one produce request for both.
    await sendWithRiders(
      [{ topic: replyTo, messages: [{ key: request.subject, value: JSON.stringify(reply), headers: { [HEADERS.correlationId]: request.id } }] }],
      (answer) => this.options.connection.send(answer),
    );
    this.options.metrics?.messagesConsumed.inc({ topic: context.topic, type: request.type, outcome: 'answered' });
  }

  /** The handler's result; a command failing for a passing reason is tried again (see answer). */
  private async resultOf(handler: MessageHandler, request: Envelope, context: Omit<ConsumeContext, 'attempt'>, stillOurs: () => boolean): Promise<unknown> {
    const retries = MESSAGES[request.type as MessageType].kind === 'command';
    const transientUntil = Date.now() + this.transientRetryMs;
    let failingSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call(handler, request, { ...context, attempt, failingSince });
      } catch (error) {
        if (!retries || !isTransientError(error)) throw error;
        if (!stillOurs()) throw new GaveUp('not ours', error, attempt);
        if (Date.now() >= transientUntil) throw new GaveUp('still failing', error, attempt);
        failingSince ??= Date.now();
        this.options.metrics?.messagesConsumed.inc({ topic: context.topic, type: request.type, outcome: 'retried' });
        this.log.warn({ err: error, type: request.type, messageId: request.id, attempt }, 'a dependency is unavailable; retrying the command');
        // What a failed attempt committed goes out now, not with an answer minutes away (or, if
        // it cannot, by the outbox's poller: never a reason to drop the command).
        await releaseRiders().catch((err: unknown) => this.log.warn({ err, messageId: request.id }, 'could not publish what the failed attempt committed; the outbox poller will'));
        await sleep(retryDelayMs(this.retryBaseMs, attempt));
        // Its caller is likely gone by now: what the next attempt asks others waits their own
        // timeouts, not a deadline already past (see handleMessage).
        const deadline = currentDeadline();
        if (deadline !== undefined && deadline <= Date.now()) releaseDeadline();
        if (!stillOurs()) throw new GaveUp('not ours', error, attempt);
      }
    }
  }
}

/** An envelope as the contracts validated it. */
type ValidEnvelope = Extract<ReturnType<typeof parseMessage>, { ok: true }>['envelope'];

/** Why a command stopped being tried: its partition was handed on, or its dependency stayed down. */
class GaveUp extends Error {
  constructor(
    readonly why: 'not ours' | 'still failing',
    override readonly cause: unknown,
    readonly attempts: number,
  ) {
    super(`${why}: ${errorText(cause)}`);
  }
}

