import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TOPICS, type AuditQueryResult, type ChangeReply, type TypedEnvelope } from '@gatehouse/contracts';
import { ObservabilityModule, createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { randomUUID } from 'node:crypto';
import { KafkaConnection } from '../kafka/kafka-connection';
import { MessagingModule } from '../messaging.module';
import { startService } from '../start-service';
import { KafkaRequester, RequestTimeoutError } from './kafka-requester';

const logger = createLogger({ service: 'deadline-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const seen: string[] = [];
const nested: string[] = [];

/** A service that, for `limit: 1`, asks the directory (down: nobody answers) with a long timeout of its own. */
@Controller()
class NestingHandlers {
  constructor(@Inject(KafkaRequester) private readonly requester: KafkaRequester) {}

  @MessagePattern('audit.query')
  async query(@Payload() query: TypedEnvelope<'audit.query'>): Promise<AuditQueryResult> {
    seen.push(query.id);
    if (query.data.limit === 1) {
      try {
        await this.requester.request('directory.user', 'nobody', { email: 'nobody@example.com' }, { timeoutMs: 10_000 });
        nested.push('answered');
      } catch (error) {
        nested.push(error instanceof RequestTimeoutError ? 'timed out' : String(error));
      }
    }
    return { records: [] };
  }

  @MessagePattern('access.request.cancel')
  cancel(@Payload() command: TypedEnvelope<'access.request.cancel'>): ChangeReply {
    seen.push(command.id);
    return { ok: false, code: 'not_found', message: 'no such request here' };
  }
}

@Module({
  imports: [
    ObservabilityModule.forRoot({ service: 'deadline-test', logger }),
    MessagingModule.forRoot({ service: 'deadline-test', brokers: testKafkaBrokers(), topicPrefix: TOPIC_PREFIX(), requester: true, produces: [TOPICS.directoryQueries] }),
  ],
  controllers: [NestingHandlers],
})
class DeadlineTestModule {}

function TOPIC_PREFIX(): string {
  return (process.env['DEADLINE_TEST_PREFIX'] ??= `deadline${uniqueSuffix()}.`);
}

describe("a caller's deadline travels with its message", () => {
  let app: INestApplication;
  let connection: KafkaConnection;
  let caller: KafkaRequester;

  beforeAll(async () => {
    app = await startService({ service: 'deadline-test', module: DeadlineTestModule, logger, port: 0 });
    connection = new KafkaConnection({ clientId: 'deadline-caller', brokers: testKafkaBrokers(), topicPrefix: TOPIC_PREFIX(), logger });
    caller = new KafkaRequester(connection, `deadline-caller-${randomUUID().slice(0, 8)}`, logger);
    await caller.start();
  });
  afterAll(async () => {
    await caller?.stop();
    await connection?.close();
    await app?.close();
  });

  it('a service never waits on another longer than its own caller waits for it', async () => {
    // The handler's own call would wait 10 s; its caller waits 1.5 s. It gets its answer.
    await expect(caller.request('audit.query', 'nest', { requestId: randomUUID(), limit: 1 }, { timeoutMs: 1500 })).resolves.toEqual({ records: [] });
    expect(nested).toEqual(['timed out']);
  });

  it('does not answer a query whose caller has stopped waiting, and still runs a command', async () => {
    const expiredQuery = randomUUID();
    const expiredCommand = randomUUID();
    const requestId = randomUUID();
    await expect(caller.request('audit.query', 'same-key', { requestId }, { timeoutMs: 1, id: expiredQuery })).rejects.toThrow(RequestTimeoutError);
    await expect(
      caller.request(
        'access.request.cancel',
        'same-key',
        { requestId, principal: { actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, scopes: [] } },
        { timeoutMs: 1, id: expiredCommand },
      ),
    ).rejects.toThrow(RequestTimeoutError);
    // Same key, same partition, in order: once this one is answered, the others were seen to.
    const answered = randomUUID();
    await expect(caller.request('audit.query', 'same-key', { requestId }, { timeoutMs: 5000, id: answered })).resolves.toEqual({ records: [] });
    await waitFor(() => seen.includes(expiredCommand), { what: 'the expired command to be handled all the same' });
    expect(seen).toContain(answered);
    expect(seen).not.toContain(expiredQuery);
  });
});
