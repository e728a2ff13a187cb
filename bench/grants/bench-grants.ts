// Grants end to end — `provisioning.grant` in → `provisioning.granted` out — with
// provisioning-okta as its own process against the fake Okta (a real HTTP server):
//   1. without a rate limit: grants per second for a burst;
//   2. under Okta's limit (600 calls per minute per endpoint family): the drain time of
//      1,000 grants, against the least the limit allows.
//
//   bash bench/run.sh grants [--burst 2000] [--limited 1000] [--limit 600] [--window-ms 60000]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { TOPICS, type Envelope } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { createTestDatabase, FakeOkta, freePort, ServiceProcess, testKafkaBrokers, TopicReader, uniqueSuffix, waitFor } from '@gatehouse/testing';
import { summarize } from '../requests/latency-stats';
import { runBench } from '../shared/run-bench';

const GROUP = '00gbenchgroup0000001';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      burst: { type: 'string', default: '2000' },
      limited: { type: 'string', default: '1000' },
      limit: { type: 'string', default: '600' },
      'window-ms': { type: 'string', default: '60000' },
    },
  });
  const burst = Number(values.burst);
  const limited = Number(values.limited);
  const limit = Number(values.limit);
  const windowMs = Number(values['window-ms']);

  const okta = await new FakeOkta().start();
  okta.addGroup(GROUP);
  const warmUp = 1000;
  for (let i = 0; i < warmUp + burst + limited; i++) okta.addUser(`user${i}@example.com`);
  const database = await createTestDatabase('benchgrants');
  const brokers = testKafkaBrokers();
  const topicPrefix = `bench${uniqueSuffix()}.`;
  const service = new ServiceProcess('provisioning-okta', 'apps/provisioning-okta/src/main.ts', await freePort(), {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    OKTA_ORG_URL: okta.url,
    OKTA_API_TOKEN: okta.apiToken,
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const connection = new KafkaConnection({ clientId: 'bench', brokers, logger, topicPrefix });
  const publisher = new KafkaPublisher(connection);
  const reader = new TopicReader(brokers);
  const doneAt = new Map<string, { at: number; type: string }>();
  try {
    console.log('starting provisioning-okta…');
    await service.start();
    await reader.start([topicPrefix + TOPICS.provisioningEvents]);
    const push = reader.messages.push.bind(reader.messages);
    reader.messages.push = (...messages) => {
      for (const m of messages) {
        const event = m.json<Envelope<{ grantId: string }>>();
        doneAt.set(event.data.grantId, { at: Date.now(), type: event.type });
      }
      return push(...messages);
    };

    const run = async (from: number, count: number) => {
      const commands = Array.from({ length: count }, (_, i) => {
        const requestId = randomUUID();
        return createEnvelope(
          'provisioning.grant',
          requestId,
          { requestId, grantId: randomUUID(), user: { email: `user${from + i}@example.com` }, oktaGroupId: GROUP, flow: 'f', target: 't', durationSeconds: 3600 },
          { source: 'bench' },
        );
      });
      const started = Date.now();
      for (let i = 0; i < commands.length; i += 500) await publisher.publish(commands.slice(i, i + 500).map((c) => outgoing(c)));
      await waitFor(() => commands.every((c) => doneAt.has(c.data.grantId)), { what: 'every grant', timeoutMs: 30 * 60_000, intervalMs: 250 });
      const results = commands.map((c) => doneAt.get(c.data.grantId) as { at: number; type: string });
      const seconds = (Math.max(...results.map((r) => r.at)) - started) / 1000;
      return { seconds, failed: results.filter((r) => r.type !== 'provisioning.granted').length, latencies: results.map((r) => r.at - started) };
    };

    // The broker was just started: its JIT compiler is busy for the first minute or so, which a
    // long-running installation never sees.
    console.log(`warming up (${warmUp} grants)…`);
    await run(burst + limited, warmUp);
    console.log(`1. burst of ${burst} grants, no rate limit…`);
    const free = await run(0, burst);
    const freeStats = summarize(free.latencies);

    console.log(`2. ${limited} grants under ${limit} calls per ${windowMs / 1000} s per endpoint family…`);
    okta.rateLimitPerMinute = limit;
    okta.rateLimitWindowMs = windowMs;
    const before429 = okta.log.filter((l) => l.status === 429).length;
    const calls = okta.log.length;
    const slow = await run(burst, limited);
    const tooMany = okta.log.filter((l) => l.status === 429).length - before429;
    // Each grant is one user read and one membership write, in different families, so the
    // least the limit allows is the windows the busier family needs: full windows for all
    // but the last batch, which goes through as soon as its window opens.
    const windowsNeeded = Math.ceil(limited / limit) - 1;
    const floorSeconds = (windowsNeeded * windowMs) / 1000;

    console.log('');
    console.log('provisioning.grant in → provisioning.granted out; provisioning-okta as a process, fake Okta over HTTP, real Kafka + PostgreSQL');
    console.log(`no limit       ${burst} grants in ${free.seconds.toFixed(1)} s = ${(burst / free.seconds).toFixed(0)} grants/s; failed ${free.failed}; time to granted p50 ${freeStats.p50} ms, p99 ${freeStats.p99} ms`);
    console.log(`under limit    ${limited} grants drained in ${slow.seconds.toFixed(1)} s; the limit allows ${floorSeconds.toFixed(1)} s at best (+${(((slow.seconds - floorSeconds) / Math.max(floorSeconds, 1)) * 100).toFixed(1)}%); failed ${slow.failed}; 429s ${tooMany} of ${okta.log.length - calls} calls`);
    console.log(`targets        ≥ 200 grants/s without a limit: ${burst / free.seconds >= 200 ? 'met' : 'NOT met'}; drain within 10% of the limit: ${slow.seconds <= floorSeconds * 1.1 + 1 ? 'met' : 'NOT met'}`);
  } finally {
    await reader.stop().catch(() => undefined);
    await connection.close();
    await service.stop();
    await okta.stop();
    await database.drop();
  }
}

runBench(main);
