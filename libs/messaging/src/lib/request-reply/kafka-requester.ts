import { MESSAGES, replyEnvelopeSchema, replyTopicOf, topicOf, parseReply, type Envelope, type MessageInput, type QueryType, type ReplyData } from '@gatehouse/contracts';
import type { Logger } from '@gatehouse/observability';
import { randomUUID } from 'node:crypto';
import type { EachMessagePayload } from 'kafkajs';
import { GROUP_LIVENESS, IDLE_FETCH_WAIT_MS } from '../kafka/group-liveness';
import { ResilientConsumer } from '../kafka/resilient-consumer';
import { createEnvelope } from '../envelope-factory';
import { HEADERS, headerString } from '../kafka/headers';
import { budgetMs } from './deadline';
import type { KafkaConnection } from '../kafka/kafka-connection';

const REPLY_RETENTION_MS = 60 * 60 * 1000;

export class RequestTimeoutError extends Error {
  constructor(type: string, timeoutMs: number, why?: string) {
    super(why ? `no reply to "${type}": ${why}` : `no reply to "${type}" within ${timeoutMs} ms; the service that answers it may be down or busy, try again shortly`);
    this.name = 'RequestTimeoutError';
  }
}

export class RemoteError extends Error {
  constructor(type: string, message: string) {
    super(`"${type}" failed: ${message}`);
    this.name = 'RemoteError';
  }
}

interface Pending {
  type: QueryType;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply over Kafka. The request carries a reply-to header naming this service's
 * reply topic; every instance reads that topic in its own consumer group and settles the
 * calls it has pending, matched by request id. Each call has a deadline.
 */
export class KafkaRequester {
  private readonly pending = new Map<string, Pending>();
  private consumer?: ResilientConsumer;
  private readonly replyTopic: string;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly service: string,
    private readonly logger: Logger,
  ) {
    this.replyTopic = connection.physical(replyTopicOf(service));
  }

  async start(): Promise<void> {
    // Replies are only worth minutes; a short retention keeps the read-from-start below cheap.
    await this.connection.ensureTopics([replyTopicOf(this.service)], { retentionMs: REPLY_RETENTION_MS });
    const groupId = this.connection.physical(`${this.service}-replies-${randomUUID()}`);
    this.consumer = new ResilientConsumer(
      () => this.connection.kafka.consumer({ groupId, allowAutoTopicCreation: false, ...GROUP_LIVENESS, maxWaitTimeInMs: IDLE_FETCH_WAIT_MS }),
      async (consumer) => {
        await consumer.connect();
        // From the beginning, not "latest": a fresh group resolves "latest" per partition at its
        // first fetch, and a reply written to a partition before that would be skipped (seen
        // under load). Old replies match no pending call and are passed over.
        await consumer.subscribe({ topic: this.replyTopic, fromBeginning: true });
        const joined = new Promise<void>((resolve) => {
          const off = consumer.on(consumer.events.GROUP_JOIN, () => {
            off();
            resolve();
          });
        });
        await consumer.run({ autoCommit: false, eachMessage: (payload) => this.settle(payload) });
        await joined;
      },
      this.logger.child({ component: 'kafka-requester' }),
    );
    await this.consumer.start();
  }

  async request<T extends QueryType>(
    type: T,
    subject: string,
    data: MessageInput<T>,
    { timeoutMs = 5000, id }: { timeoutMs?: number; /** the message id, when the caller must know it */ id?: string } = {},
  ): Promise<ReplyData<T>> {
    if (!this.consumer) throw new Error('KafkaRequester.start() must be called before request()');
    // Inside a handler, wait no longer than its own caller will wait for it.
    const waitMs = budgetMs(timeoutMs);
    const noTimeLeft = waitMs <= 0;
    // A query with no time left is not worth asking. A command is still sent, only not waited
    // for: its effect must happen, and a RequestTimeoutError for a command keeps meaning "it is
    // in Kafka and will be handled" (what the gateway's 202 and slack-bot's "your request is in" say).
    if (noTimeLeft && MESSAGES[type].kind !== 'command') {
      throw new RequestTimeoutError(type, 0, 'the caller of the message being handled has stopped waiting, so it was not asked');
    }
    const envelope = createEnvelope(type, subject, data, { source: this.service, id, deadline: new Date(Date.now() + Math.max(0, waitMs)) });
    if (noTimeLeft) {
      await this.send(type, subject, envelope);
      throw new RequestTimeoutError(type, 0, 'sent, but the caller of the message being handled has stopped waiting, so its answer is not awaited; it will be handled');
    }
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.id);
        reject(new RequestTimeoutError(type, waitMs));
      }, waitMs);
      this.pending.set(envelope.id, { type, resolve, reject, timer });
    });
    // The time may run out while the send is still awaited: the caller sees it when it gets
    // the promise; until then it is not an unhandled rejection.
    reply.catch(() => undefined);
    // The send is awaited to its end even past the deadline: the gateway answers 202 only for
    // a command the broker took, and 503 only for one it did not (a retry then makes no twin).
    try {
      await this.send(type, subject, envelope);
    } catch (error) {
      const call = this.pending.get(envelope.id);
      if (call) clearTimeout(call.timer);
      this.pending.delete(envelope.id);
      throw error;
    }
    return reply as Promise<ReplyData<T>>;
  }

  /**
   * Sends a command whose answer nobody will read, and resolves once the broker has it: the
   * handler acts on it as on any other, and sends no reply.
   */
  async tell<T extends QueryType>(type: T, subject: string, data: MessageInput<T>): Promise<void> {
    if (MESSAGES[type].kind !== 'command') throw new Error(`"${type}" is a query: ask it with request()`);
    await this.send(type, subject, createEnvelope(type, subject, data, { source: this.service }), false);
  }

  private async send(type: QueryType, subject: string, envelope: Envelope, withReply = true): Promise<void> {
    await this.connection.send([
      {
        topic: this.connection.physical(topicOf(type)),
        messages: [
          {
            key: subject,
            value: JSON.stringify(envelope),
            headers: { [HEADERS.type]: type, [HEADERS.correlationId]: envelope.correlationId, ...(withReply ? { [HEADERS.replyTo]: this.replyTopic } : {}) },
          },
        ],
      },
    ]);
  }

  async stop(): Promise<void> {
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(new Error('requester stopped'));
      this.pending.delete(id);
    }
    await this.consumer?.close();
    this.consumer = undefined;
  }

  private async settle({ message }: EachMessagePayload): Promise<void> {
    const requestId = headerString(message.headers, HEADERS.correlationId);
    const call = requestId ? this.pending.get(requestId) : undefined;
    if (!requestId || !call) return; // someone else's reply, or one that already timed out
    this.pending.delete(requestId);
    clearTimeout(call.timer);
    let parsed;
    try {
      parsed = replyEnvelopeSchema.safeParse(JSON.parse(message.value?.toString('utf8') ?? ''));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      this.logger.error({ requestId }, 'malformed reply');
      call.reject(new RemoteError(call.type, 'malformed reply'));
      return;
    }
    const payload = parsed.data.data;
    if (!payload.ok) {
      call.reject(new RemoteError(call.type, payload.error));
      return;
    }
    const checked = parseReply(call.type, payload.result);
    if (checked.ok) call.resolve(checked.data);
    else call.reject(new RemoteError(call.type, checked.reason));
  }
}
