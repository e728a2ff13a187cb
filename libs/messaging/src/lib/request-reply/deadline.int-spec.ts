import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TOPICS, type AuditQueryResult, type ChangeReply, type Principal, type ReplyData, type TypedEnvelope } from '@gatehouse/contracts';
import { ObservabilityModule, createLogger } from '@gatehouse/observability';
import { testKafkaBrokers, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { randomUUID } from 'node:crypto';
import { KafkaConnection } from '../kafka/kafka-connection';
import { MessagingModule } from '../messaging.module';
import { startService } from '../start-service';
import { budgetMs } from './deadline';
import { KafkaRequester, RequestTimeoutError } from './kafka-requester';

const logger = createLogger({ service: 'deadline-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const seen: string[] = [];
const nested: string[] = [];
const afterAnswering: Promise<string>[] = [];
/** How long a command that arrived after its caller gave up may wait on others. */
const lateCommandBudgets: number[] = [];
/** Attempts at commands from flaky@example.com, by command id: the first two meet PostgreSQL restarting. */
const flakyAttempts = new Map<string, number>();
let outOfTime: { asked: string; told: string; queryId: string; commandId: string } | undefined;
const principal: Principal = { actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, scopes: [] };

/**
 * A service that, for `limit: 1`, asks the directory (down: nobody answers `directory.user`) with
 * a long timeout of its own; for `limit: 2`, answers at once and asks the directory (it answers
 * `directory.group_members` itself) only once its caller's deadline has passed; for `limit: 3`,
 * makes a query and a command after its caller's deadline, before answering.
 */
@Controller()
class NestingHandlers {
  constructor(@Inject(KafkaRequester) private readonly requester: KafkaRequester) {}

  @MessagePattern('audit.query')
  async query(@Payload() query: TypedEnvelope<'audit.query'>): Promise<AuditQueryResult> {
    seen.push(query.id);
    if (query.data.limit === 1) nested.push(await outcomeOf(this.requester.request('directory.user', 'nobody', { email: 'nobody@example.com' }, { timeoutMs: 10_000 })));
    if (query.data.limit === 2) afterAnswering.push(this.askOnceCallerIsGone(query.deadline));
    if (query.data.limit === 3) outOfTime = await this.askWithNoTimeLeft(query.deadline);
    return { records: [] };
  }

  @MessagePattern('directory.group_members')
  members(@Payload() query: TypedEnvelope<'directory.group_members'>): ReplyData<'directory.group_members'> {
    seen.push(query.id);
    return { members: [] };
  }

  private async askWithNoTimeLeft(deadline: string | undefined): Promise<NonNullable<typeof outOfTime>> {
    await sleepUntil(Date.parse(deadline ?? '') + 50);
    const queryId = randomUUID();
    const commandId = randomUUID();
    const asked = await outcomeOf(this.requester.request('directory.group_members', 'no-time', { groupId: 'g1' }, { timeoutMs: 10_000, id: queryId }));
    const told = await outcomeOf(this.requester.request('access.request.cancel', 'no-time', { requestId: randomUUID(), principal }, { timeoutMs: 10_000, id: commandId }));
    return { asked, told, queryId, commandId };
  }

  /** Work a handler started and did not wait for: its caller has its answer and waits for nothing more. */
  private async askOnceCallerIsGone(deadline: string | undefined): Promise<string> {
    await sleepUntil(Date.parse(deadline ?? '') + 50);
    return outcomeOf(this.requester.request('directory.group_members', 'later', { groupId: 'g1' }, { timeoutMs: 10_000 }));
  }

  @MessagePattern('access.request.cancel')
  cancel(@Payload() command: TypedEnvelope<'access.request.cancel'>): ChangeReply {
    const actor = command.data.principal.actor;
    if (actor.kind === 'person' && actor.person.email === 'flaky@example.com') {
      const attempt = (flakyAttempts.get(command.id) ?? 0) + 1;
      flakyAttempts.set(command.id, attempt);
      if (attempt <= 2) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    }
    seen.push(command.id);
    if (actor.kind === 'person' && actor.person.email === 'late@example.com') {
      lateCommandBudgets.push(budgetMs(5000));
    }
    return { ok: false, code: 'not_found', message: 'no such request here' };
  }
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}

async function outcomeOf(request: Promise<unknown>): Promise<string> {
  try {
    await request;
    return 'answered';
  } catch (error) {
    return error instanceof RequestTimeoutError ? 'timed out' : String(error);
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

  it("frees what a handler left running once it has answered: that work is on no caller's clock", async () => {
    await expect(caller.request('audit.query', 'left-running', { requestId: randomUUID(), limit: 2 }, { timeoutMs: 500 })).resolves.toEqual({ records: [] });
    expect(afterAnswering).toHaveLength(1);
    // Asked after the caller's deadline: bound by it, the call would fail at once without asking.
    await expect(afterAnswering[0]).resolves.toBe('answered');
  });

  it('with no time left, asks no query but still sends a command (its effect must happen), waiting for neither', async () => {
    await expect(caller.request('audit.query', 'out-of-time', { requestId: randomUUID(), limit: 3 }, { timeoutMs: 300 })).rejects.toThrow(RequestTimeoutError);
    const outcome = await waitFor(() => outOfTime, { what: 'the handler to make its two requests' });
    expect(outcome).toMatchObject({ asked: 'timed out', told: 'timed out' });
    await waitFor(() => seen.includes(outcome.commandId), { what: 'the command sent with no time left to be handled' });
    // Same key, same partition, in order: once this query is answered, the earlier one would have been seen.
    await expect(caller.request('directory.group_members', 'no-time', { groupId: 'g1' }, { timeoutMs: 5000 })).resolves.toEqual({ members: [] });
    expect(seen).not.toContain(outcome.queryId);
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
        { requestId, principal },
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

  it('tries a command again while it fails for a passing reason, also once its caller stopped waiting: a queued command is not dropped', async () => {
    const flaky: Principal = { actor: { kind: 'person', channel: 'api', person: { email: 'flaky@example.com' } }, scopes: [] };
    const id = randomUUID();
    // Its caller gives up at once (an API client told 202, queued): it must happen all the same.
    await expect(caller.request('access.request.cancel', 'flaky-command', { requestId: randomUUID(), principal: flaky }, { timeoutMs: 1, id })).rejects.toThrow(RequestTimeoutError);
    await waitFor(() => seen.includes(id), { what: 'the command handled on its third attempt' });
    expect(flakyAttempts.get(id)).toBe(3);
    // With its caller still waiting, it gets the answer of the attempt that worked.
    const waited = randomUUID();
    await expect(caller.request('access.request.cancel', 'flaky-command', { requestId: randomUUID(), principal: flaky }, { timeoutMs: 10_000, id: waited })).resolves.toMatchObject({ ok: false, code: 'not_found' });
    expect(flakyAttempts.get(waited)).toBe(3);
  });

  it('lets a command that arrives after its caller gave up wait on others for their own timeouts: done right, not cut short', async () => {
    const late: Principal = { actor: { kind: 'person', channel: 'api', person: { email: 'late@example.com' } }, scopes: [] };
    await expect(caller.request('access.request.cancel', 'late-command', { requestId: randomUUID(), principal: late }, { timeoutMs: 1 })).rejects.toThrow(RequestTimeoutError);
    await waitFor(() => lateCommandBudgets.length > 0, { what: 'the late command to be handled' });
    // Bound by its caller's deadline it would have no time at all; its own 5 s apply.
    expect(lateCommandBudgets).toEqual([5000]);
  });
});
