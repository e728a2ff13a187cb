// Time from a signed Slack `block_actions` POST to the gateway's 200 (gateway → Kafka →
// slack-bot's Bolt app → ack → Kafka → gateway), at a fixed rate with every service running,
// and in the same run the p99 of a bare kafkajs request/reply round trip on the same broker;
// then the same clicks as Socket Mode envelopes, from envelope sent to acknowledgement.
//
//   bash bench/run.sh slack [--rate 50] [--seconds 60]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { blockAction, GatehouseSystem, postToSlackDoor, testKafkaBrokers, uniqueSuffix } from '@gatehouse/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { summarize } from '../requests/latency-stats';
import { runBench } from '../shared/run-bench';

/** A bare request/reply over kafkajs: one topic each way, an echo consumer, nothing else. */
async function bareRoundTrips(rate: number, seconds: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'bench-bare', brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
  const prefix = `bare${uniqueSuffix()}.`;
  const [requests, replies] = [`${prefix}requests`, `${prefix}replies`];
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [requests, replies].map((topic) => ({ topic, numPartitions: 6 })), waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const echo = kafka.consumer({ groupId: `${prefix}echo`, maxWaitTimeInMs: 100 });
  const listener = kafka.consumer({ groupId: `${prefix}listener`, maxWaitTimeInMs: 100 });
  const pending = new Map<string, (at: number) => void>();
  await echo.connect();
  await echo.subscribe({ topic: requests, fromBeginning: true });
  await echo.run({ eachMessage: async ({ message }) => void (await producer.send({ topic: replies, acks: -1, messages: [{ key: message.key, value: message.value }] })) });
  await listener.connect();
  await listener.subscribe({ topic: replies, fromBeginning: true });
  await listener.run({ eachMessage: async ({ message }) => pending.get(message.value?.toString() ?? '')?.(Date.now()) });
  const once = async (): Promise<number> => {
    const id = randomUUID();
    const answered = new Promise<number>((resolve) => pending.set(id, resolve));
    const sentAt = Date.now();
    await producer.send({ topic: requests, acks: -1, messages: [{ key: id, value: id }] });
    return (await answered) - sentAt;
  };
  await new Promise((resolve) => setTimeout(resolve, 3000)); // both groups joined
  for (let i = 0; i < 50; i++) await once(); // warm-up
  const latencies = await openLoop(rate, seconds, once);
  await Promise.all([echo.disconnect(), listener.disconnect(), producer.disconnect()]);
  return latencies;
}

/** Open loop: call i starts at its due time whether or not earlier ones have finished. */
async function openLoop(rate: number, seconds: number, call: (i: number) => Promise<number>): Promise<number[]> {
  const total = Math.round(rate * seconds);
  const begin = Date.now();
  const inFlight: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = begin + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(call(i));
    if (i > 0 && i % (rate * 10) === 0) console.log(`  sent ${i}/${total}`);
  }
  return Promise.all(inFlight);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '60' } } });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);

  console.log('starting the five services…');
  // slack-bot in Socket Mode too: the HTTP door (through the gateway) and the socket feed the same listeners.
  const system = await GatehouseSystem.start('benchslack', { serviceEnv: ({ slack }) => ({ 'slack-bot': { SLACK_APP_TOKEN: slack.appToken } }) });
  const db = new Client({ connectionString: system.database.url });
  try {
    await db.connect();
    // Approve clicks by someone who may not decide: every one is acked, then refused by the
    // policy and answered ephemerally, so the whole path runs each time and nothing runs out.
    system.slack.addUser({ id: 'U0EVE', email: 'eve@example.com' });
    const token = await system.mintToken({ for: 'ada@example.com' }, ['requests:write']);
    const created = await fetch(`${system.gatewayUrl}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: 'INC-1 bench' }),
    });
    const { request } = (await created.json()) as { request: { id: string } };
    const click = async (): Promise<number> => {
      const post = blockAction({ userId: 'U0EVE', actionId: 'gatehouse_approve', value: request.id, channelId: 'C0BENCH', messageTs: '1.000001', triggerId: system.slack.issueTrigger() });
      const sentAt = Date.now();
      const response = await postToSlackDoor(`${system.gatewayUrl}/slack/events`, system.slack.signingSecret, post);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`the gateway answered ${response.status}`);
      return Date.now() - sentAt;
    };
    const clickOverSocket = async (): Promise<number> => {
      const post = blockAction({ userId: 'U0EVE', actionId: 'gatehouse_approve', value: request.id, channelId: 'C0BENCH', messageTs: '1.000001', triggerId: system.slack.issueTrigger() });
      const sentAt = Date.now();
      const answer = await system.slack.socketMode.deliver(post);
      if (!answer.acked) throw new Error('an envelope was not acknowledged within 3 s');
      return Date.now() - sentAt;
    };
    const warmUp = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 10);
    console.log(`warming up: ${rate} clicks/s for ${warmUp} s (not measured)…`);
    await openLoop(rate, warmUp, click);
    console.log(`offering ${rate} signed block_actions/s for ${seconds} s…`);
    const slack = summarize(await openLoop(rate, seconds, click));
    console.log(`Socket Mode: warming up ${warmUp} s, then ${rate} envelopes/s for ${seconds} s…`);
    await openLoop(rate, warmUp, clickOverSocket);
    const socket = summarize(await openLoop(rate, seconds, clickOverSocket));
    console.log(`bare kafkajs request/reply, ${rate}/s for ${seconds} s on the same broker…`);
    const bare = summarize(await bareRoundTrips(rate, seconds));

    const row = (label: string, s: { p50: number; p95: number; p99: number; max: number }) =>
      `${label.padEnd(34)} p50 ${String(s.p50).padStart(4)} ms   p95 ${String(s.p95).padStart(4)} ms   p99 ${String(s.p99).padStart(4)} ms   max ${String(s.max).padStart(4)} ms`;
    console.log('');
    console.log(`Slack block_actions → gateway 200, every service running, ${rate}/s for ${seconds} s, 2 cores`);
    console.log(row('signed POST → 200 (Slack ack)', slack));
    console.log(row('bare kafkajs request/reply', bare));
    console.log(row('Socket Mode envelope → ack', socket));
    console.log(`difference at p99                  ${slack.p99 - bare.p99} ms`);
    console.log(`targets: p99 ≤ 100 ms: ${slack.p99 <= 100 ? 'met' : 'NOT met'} (${slack.p99} ms); within 25 ms of the bare round trip: ${slack.p99 - bare.p99 <= 25 ? 'met' : 'NOT met'} (${slack.p99 - bare.p99} ms)`);
    console.log(`Socket Mode target (issue 10): p99 ≤ 100 ms: ${socket.p99 <= 100 ? 'met' : 'NOT met'} (${socket.p99} ms)`);
  } finally {
    await db.end();
    await system.stop();
  }
}

runBench(main);
