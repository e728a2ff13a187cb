// Decisions per second and latency from `access.decision.submit` in to `access.approved` out,
// at rising load, against the approval service as its own process on the real broker and
// database. Each decision approves a distinct pending request (made beforehand with SQL).
//
//   bash bench/run.sh decisions [--rates 50,100,200,300,350,400] [--seconds 15]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import {
  createTestDatabase,
  personPrincipal,
  freePort,
  ServiceProcess,
  TEST_FLOWS_FILE,
  testKafkaBrokers,
  TopicReader,
  uniqueSuffix,
  waitFor,
} from '@gatehouse/testing';
import { Client } from 'pg';
import { summarize } from '../requests/latency-stats';
import { runBench } from '../shared/run-bench';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rates: { type: 'string', default: '50,100,200,300,350,400' }, seconds: { type: 'string', default: '15' } } });
  const rates = values.rates.split(',').map(Number);
  const seconds = Number(values.seconds);
  const warmUp = 3000;
  const needed = warmUp + rates.reduce((sum, rate) => sum + rate * seconds, 0);

  const database = await createTestDatabase('benchdecisions');
  const brokers = testKafkaBrokers();
  const topicPrefix = `bench${uniqueSuffix()}.`;
  const approval = new ServiceProcess('approval', 'apps/approval/src/main.ts', await freePort(), {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    GATEHOUSE_FLOWS: TEST_FLOWS_FILE,
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const connection = new KafkaConnection({ clientId: 'bench', brokers, logger, topicPrefix });
  const publisher = new KafkaPublisher(connection);
  const db = new Client({ connectionString: database.url });
  const approvedAt = new Map<string, number>();
  const reader = new TopicReader(brokers);
  try {
    console.log('starting approval…');
    await approval.start();
    await db.connect();
    console.log(`making ${needed} pending requests…`);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO approval.access_requests (id, requester_email, requester, flow, target, target_label, okta_group_id, duration_seconds, reason, channel, status, approvals_required, version)
       SELECT gen_random_uuid(), 'grace@example.com', '{"email":"grace@example.com"}', 'production-database', 'read-only', 'Read-only (replica)',
              '00gprdbreadonly00001', 1800, 'INC-1 bench', 'api', 'PENDING', 1, 1
         FROM generate_series(1, $1) RETURNING id`,
      [needed],
    );
    const pending = rows.map((r) => r.id);
    await reader.start([topicPrefix + TOPICS.accessEvents]);
    const originalPush = reader.messages.push.bind(reader.messages);
    reader.messages.push = (...messages) => {
      for (const m of messages) {
        const event = m.json<Envelope>();
        if (event.type === 'access.approved') approvedAt.set(event.subject, Date.now());
      }
      return originalPush(...messages);
    };

    let next = 0;
    const decision = () => {
      const id = pending[next++];
      return createEnvelope(
        'access.decision.submit',
        id,
        { requestId: id, principal: personPrincipal(`dba${(next % 20) + 1}@example.com`), kind: 'approve' },
        { source: 'bench', id: randomUUID() },
      );
    };
    // The load generator shares the two cores with what it measures, so it sends what is due
    // every 5 ms in one produce request rather than one request per decision. Latency counts
    // from when each decision was due, so the wait for its tick is charged to the system.
    const tickMs = 5;
    const offer = async (rate: number, count: number) => {
      const sent = new Map<string, number>();
      const begin = Date.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; ) {
        const batch = [];
        for (; i < count && begin + (i * 1000) / rate <= Date.now(); i++) {
          const command = decision();
          sent.set(command.subject, Math.round(begin + (i * 1000) / rate));
          batch.push(outgoing(command));
        }
        if (batch.length > 0) inFlight.push(publisher.publish(batch));
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
      await Promise.all(inFlight);
      const offeredFor = (Date.now() - begin) / 1000;
      await waitFor(() => [...sent.keys()].every((id) => approvedAt.has(id)), { timeoutMs: 120000, intervalMs: 100, what: 'every approval' });
      const latencies = [...sent.entries()].map(([id, at]) => (approvedAt.get(id) as number) - at);
      const lastIn = Math.max(...sent.values());
      const lastOut = Math.max(...[...sent.keys()].map((id) => approvedAt.get(id) as number));
      // Kept up: the work was done as fast as it came, so no backlog was left when the load
      // stopped (the last approval out within a second of the last decision in).
      return { offeredFor, latencies, handled: count / ((lastOut - begin) / 1000), keptUp: lastOut - lastIn <= 1000 };
    };

    // The broker was just started: its JIT compiler is still busy for the first minute or so,
    // which a long-running installation never sees.
    console.log(`warming up (${warmUp} decisions at 100/s)…`);
    await offer(100, warmUp);
    console.log('');
    console.log('decision command in → access.approved out; approval as a process, real Kafka + PostgreSQL, 2 cores');
    console.log('offered/s   decisions   handled/s   kept up   p50 ms   p95 ms   p99 ms   max ms');
    const results: { rate: number; handled: number; keptUp: boolean; p99: number }[] = [];
    for (const rate of rates) {
      const { latencies, handled, keptUp } = await offer(rate, rate * seconds);
      const s = summarize(latencies);
      results.push({ rate, handled, keptUp, p99: s.p99 });
      console.log(
        `${String(rate).padStart(9)}   ${String(latencies.length).padStart(9)}   ${handled.toFixed(0).padStart(9)}   ${(keptUp ? 'yes' : 'no').padStart(7)}   ${String(s.p50).padStart(6)}   ${String(s.p95).padStart(6)}   ${String(s.p99).padStart(6)}   ${String(s.max).padStart(6)}`,
      );
    }
    const sustained = Math.max(0, ...results.filter((r) => r.keptUp).map((r) => r.rate));
    const ceiling = Math.max(...results.map((r) => r.handled));
    const at100 = results.find((r) => r.rate === 100);
    console.log('');
    console.log(`sustained (highest offered rate kept up with): ${sustained}/s; most handled under overload: ${ceiling.toFixed(0)}/s`);
    console.log(
      `targets: ≥ 300 decisions/s sustained: ${sustained >= 300 ? 'met' : 'NOT met'}; p99 ≤ 200 ms at 100/s: ${at100 ? `${at100.p99 <= 200 ? 'met' : 'NOT met'} (${at100.p99} ms)` : 'not measured (add 100 to --rates)'}`,
    );
    console.log(`issue 13 target: ≥ 1,000 decisions/s sustained: ${sustained >= 1000 ? 'met' : `NOT met (${sustained}/s)`}`);
  } finally {
    await reader.stop().catch(() => undefined);
    await connection.close();
    await db.end().catch(() => undefined);
    await approval.stop();
    await database.drop();
  }
}

runBench(main);
