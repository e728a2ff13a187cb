// How fast audit-reporting records events into the hash chain and ships them, against the raw
// consume rate of the same topic (a bare kafkajs consumer reading it from the start). A backlog
// of events is produced first; then audit-reporting (its own process, file and batched-webhook
// destinations) is started on it. Printed:
//  - records/s into the chain, and shipped to each destination while it is being recorded
//    (live: shipping follows recording, so it can go no faster);
//  - records/s each destination drains a recorded backlog at, from the store (its cursor set
//    back to the start, as after an outage): the shipping path on its own, which is what the
//    ratios to the raw consume rate compare. Alone (only that destination was out, the usual
//    outage) with audit-reporting running, as it does through a destination's outage; alone
//    again just after a restart (a drain of a second or two runs on cold code: JIT and fresh
//    memory); and both at once, restarted (sharing the two cores: printed with what they ship
//    together, no target). The drains alone run in rounds, each with its own raw rate read just
//    before them; a ratio is the median of the rounds'.
//
//   bash bench/run.sh audit [--events 60000] [--webhook-batch 500] [--rounds 5]   (fewer events: drains of a fraction of a second, noisier)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TOPICS } from '@gatehouse/contracts';
import { createEnvelope, KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { freePort, serviceTestEnv, ServiceProcess, testKafkaBrokers } from '@gatehouse/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { percentile } from '../requests/latency-stats';
import { systemCpuMeter } from '../requests/process-cpu';
import { procStatusMb } from '../shared/proc-status';
import { runBench } from '../shared/run-bench';

const ROOT = path.resolve(__dirname, '../..');
const actor = { kind: 'person' as const, channel: 'api' as const, person: { email: 'ada@example.com' } };

async function produceBacklog(connection: KafkaConnection, events: number): Promise<void> {
  await connection.ensureTopics([TOPICS.accessEvents]);
  const publisher = new KafkaPublisher(connection);
  for (let sent = 0; sent < events; sent += 1000) {
    const batch = Array.from({ length: Math.min(1000, events - sent) }, (_, i) => {
      const requestId = randomUUID();
      return outgoing(
        createEnvelope(
          'access.requested',
          requestId,
          { requestId, requester: { email: 'ada@example.com' }, actor, flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: `INC-${sent + i} bench`, status: 'PENDING', requestedAt: new Date().toISOString() },
          { source: 'approval' },
        ),
      );
    });
    await publisher.publish(batch);
    if ((sent / 1000) % 10 === 0) console.log(`  produced ${sent + batch.length}/${events}`);
  }
}

/** Messages/s a bare kafkajs consumer reads the topic at, from the beginning, doing nothing with them. */
async function rawConsumeRate(topic: string, events: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = Date.now();
        count += batch.messages.length;
        if (count >= events) resolve(Date.now());
      },
    });
  });
  const ended = await done;
  await consumer.disconnect();
  return Math.round((events * 1000) / Math.max(1, ended - started));
}

interface Round {
  raw: number;
  fileAlone: number;
  hookAlone: number;
  fileCold: number;
  hookCold: number;
}

/** The median by nearest rank (the lower middle of an even count). */
const median = (values: readonly number[]) => percentile(values, 50);

interface Progress {
  chain: number;
  file: number;
  hook: number;
}

/**
 * Polls until the chain and both destinations have every event. `reached`: when each got there;
 * `rates`: records/s from the first poll that saw it move to the last record (the first batch is
 * left out, so what is timed is the steady rate, not the start-up).
 */
async function watch(read: () => Promise<Progress>, events: number, say: (p: Progress) => string, everyMs: number): Promise<{ reached: Partial<Record<'file' | 'hook', number>>; rates: Partial<Record<'file' | 'hook', number>> }> {
  const began = Date.now();
  const reached: Partial<Record<'file' | 'hook', number>> = {};
  const moved: Partial<Record<'file' | 'hook', { at: number; count: number }>> = {};
  const rates: Partial<Record<'file' | 'hook', number>> = {};
  let lastLog = 0;
  for (;;) {
    const p = await read();
    const now = Date.now();
    for (const name of ['file', 'hook'] as const) {
      if (moved[name] === undefined && p[name] > 0) moved[name] = { at: now, count: p[name] };
      const from = moved[name];
      if (reached[name] === undefined && p[name] >= events && from) {
        reached[name] = now;
        rates[name] = Math.round(((events - from.count) * 1000) / Math.max(1, now - from.at));
      }
    }
    if (reached.file !== undefined && reached.hook !== undefined && p.chain >= events) return { reached, rates };
    if (now - began > 600_000) throw new Error(`not done after 10 minutes: ${say(p)}`);
    if (now - lastLog >= 1000) {
      console.log(`  ${((now - began) / 1000).toFixed(0)} s: ${say(p)}`);
      lastLog = now;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '60000' }, 'webhook-batch': { type: 'string', default: '500' }, rounds: { type: 'string', default: '5' } } });
  const events = Number(values.events);
  const roundCount = Number(values.rounds);
  if (!Number.isInteger(roundCount) || roundCount < 1) throw new Error(`--rounds must be a whole number ≥ 1, not ${values.rounds}`);
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const env = await serviceTestEnv('benchaudit');
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-audit-'));
  // Lines the webhook receiver has had: its running total, less what it had when the hook's
  // cursor was last set back.
  let [received, counted] = [0, 0];
  const receiver = fork(path.join(ROOT, 'scripts/run-ts.cjs'), [path.join(ROOT, 'bench/audit/line-receiver.ts')], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const receiverPort = await new Promise<number>((resolve, reject) => {
    receiver.on('message', (message: { port?: number; total?: number }) => {
      if (message.port !== undefined) resolve(message.port);
      if (message.total !== undefined) received = message.total;
    });
    receiver.once('exit', (code) => reject(new Error(`the webhook receiver exited (${code}) before it listened`)));
    setTimeout(() => reject(new Error('the webhook receiver did not listen within 30 s')), 30_000).unref();
  });
  const file = path.join(dir, 'audit.jsonl');
  const destinations = path.join(dir, 'destinations.yaml');
  writeFileSync(
    destinations,
    `destinations:
  - name: file
    type: file
    path: ${file}
    rotate: { maxBytes: 1073741824 }
  - name: hook
    type: webhook
    url: http://127.0.0.1:${receiverPort}/audit
    body: ndjson
    batchSize: ${Number(values['webhook-batch'])}
`,
  );
  const connection = new KafkaConnection({ clientId: 'bench', brokers: env.brokers, logger, topicPrefix: env.topicPrefix });
  const db = new Client({ connectionString: env.database.url });
  const service = new ServiceProcess('audit-reporting', 'apps/audit-reporting/src/main.ts', await freePort(), { ...env.env, GATEHOUSE_AUDIT_DESTINATIONS: destinations, LOG_LEVEL: 'warn' });
  try {
    console.log(`producing a backlog of ${events} access.requested events…`);
    await produceBacklog(connection, events);
    const topic = `${env.topicPrefix}${TOPICS.accessEvents}`;

    console.log('starting audit-reporting on the backlog…');
    await service.start();
    // CPU (ms) each process uses from now to `stop()`: audit-reporting, the receiver, the broker,
    // PostgreSQL and this process.
    const cpuMeter = () => {
      const [meter, own] = [systemCpuMeter({ 'audit-reporting': service, 'webhook receiver': receiver }), process.cpuUsage()];
      return { stop: () => ({ ...meter.stop(), bench: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(own)) }) };
    };
    // CPU while recording (and shipping live): what a record costs each process.
    const recording = cpuMeter();
    await db.connect();
    const progress = async () => {
      const [{ seq }] = (await db.query(`SELECT seq::int AS seq FROM audit.chain_head`)).rows as { seq: number }[];
      const cursors = Object.fromEntries((await db.query(`SELECT name, delivered::int AS n FROM audit.destination_cursors`)).rows.map((r: { name: string; n: number }) => [r.name, r.n])) as Record<string, number | undefined>;
      return { chain: seq, file: cursors['file'] ?? 0, hook: Math.min(cursors['hook'] ?? 0, received - counted) };
    };
    // Every 100 ms while recording (the chain's rate is read from the records' own times; polling
    // every 10 ms cost the bench and PostgreSQL ~20 µs of CPU a record, on the cores measured).
    const live = await watch(progress, events, (p) => `chain ${p.chain}, file ${p.file}, webhook ${p.hook}`, 100);
    const recordingCpu = recording.stop();
    // The chart's memory limit must hold while a backlog is recorded and drained: peak RSS.
    const peakRss = () => {
      if (service.pid === undefined) throw new Error(`audit-reporting is not running (log: ${service.logFile})`);
      return procStatusMb(service.pid, 'VmHWM');
    };
    const recordingPeak = peakRss();
    let drainingPeak = 0;
    // From the first record into the chain (the consumer has joined its group by then), to the
    // last record into the chain, and to each destination having the last one.
    const [{ first, last }] = (await db.query(`SELECT (extract(epoch FROM min(recorded_at)) * 1000)::float8 AS first, (extract(epoch FROM max(recorded_at)) * 1000)::float8 AS last FROM audit.records`)).rows as { first: number; last: number }[];
    const rate = (ms: number) => Math.round((events * 1000) / ms);
    const [chain, liveFile, liveHook] = [rate(last - first), rate((live.reached.file as number) - first), rate((live.reached.hook as number) - first)];

    // Cursors of `names` back to the start (the others stay at the end): with `restart`,
    // audit-reporting is stopped first and started after (its code cold, as after a restart);
    // otherwise it keeps running, as when a destination comes back from an outage (the reset
    // waits for a shipping transaction that holds the cursor). Only the rates of `names` mean
    // anything: a destination already at the end "reaches" it at once.
    const drain = async (names: readonly ('file' | 'hook')[], { restart }: { restart: boolean }) => {
      if (restart) await service.stop();
      await db.query(`UPDATE audit.destination_cursors SET delivered_seq = 0, delivered_checkpoint = 0, delivered = 0 WHERE name = ANY($1)`, [names]);
      if (names.includes('file')) rmSync(file, { force: true });
      // The hook is current (or audit-reporting stopped) here, its last batch answered well
      // before; and the receiver counts checkpoints' lines too, so the cursor, which starts again
      // at 0, is what `progress` goes by (the receiver's count only checks that the lines came).
      if (names.includes('hook')) counted = received;
      if (restart) await service.start();
      const draining = cpuMeter();
      // A restarted audit-reporting ships before it answers /readyz: what it shipped before the
      // meter started is left out of the records the CPU is divided by.
      const before = await progress();
      // Every 10 ms: a drain lasts under a second, in transactions of 8,000 records (~0.1 s each).
      const drained = await watch(async () => ({ ...(await progress()), chain: events }), events, (p) => `file ${p.file}, webhook ${p.hook}`, 10);
      drainingPeak = Math.max(drainingPeak, peakRss());
      const cpu = draining.stop();
      const shipped = names.reduce((sum, name) => sum + events - Math.min(events, before[name]), 0);
      drainCpu.push(`${roundLabel}${names.join(' + ')}${restart ? ', restarted' : ''}: ${Object.entries(cpu).map(([name, ms]) => `${name} ${((ms * 1000) / shipped).toFixed(1)}`).join(', ')}`);
      return drained.rates;
    };
    const drainCpu: string[] = [];
    let roundLabel = '';
    // A drain lasts about a second and the host's speed drifts within minutes, so every drain is
    // set beside a raw rate read just before it (after a second's pause, so the work before it
    // has settled), and the targets are judged on the median of the rounds' ratios (every round
    // is printed).
    const rawNow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return rawConsumeRate(topic, events);
    };
    // The raw consumer's first read runs on cold code (a first read here went ~40 % slower than
    // the next): read once and not used, so no ratio is flattered by a slow baseline.
    console.log('the raw kafkajs consumer reading the topic once to warm its code (not used)…');
    console.log(`  ${await rawConsumeRate(topic, events)} messages/s`);
    const bothRaw = await rawNow();
    console.log('draining the recorded chain again, both destinations at once: cursors back to the start, audit-reporting restarted…');
    const both = await drain(['file', 'hook'], { restart: true });
    const fileSize = statSync(file).size;
    const rounds: Round[] = [];
    for (let i = 1; i <= roundCount; i++) {
      console.log(`round ${i}/${roundCount}: the raw consume rate, then each destination draining alone as after its own outage (the other one current), audit-reporting running, and again just after a restart…`);
      roundLabel = `round ${i}, `;
      const raw = await rawNow();
      const fileAlone = (await drain(['file'], { restart: false })).file as number;
      const hookAlone = (await drain(['hook'], { restart: false })).hook as number;
      const fileCold = (await drain(['file'], { restart: true })).file as number;
      const hookCold = (await drain(['hook'], { restart: true })).hook as number;
      rounds.push({ raw, fileAlone, hookAlone, fileCold, hookCold });
    }
    const rawMedian = Math.round(median(rounds.map((r) => r.raw)));
    const [drainFile, drainHook] = [both.file as number, both.hook as number];

    const row = (what: string, value: number, extra = '') => console.log(`${what.padEnd(52)}${String(value).padStart(7)} records/s${extra}`);
    // A drain's row: the median of its ratios to its round's raw rate, judged against the target.
    const drainRow = (what: string, pick: (r: Round) => number, target: number) => {
      const ratio = median(rounds.map((r) => pick(r) / r.raw));
      console.log(`${what.padEnd(52)}${ratio.toFixed(2).padStart(7)} × raw, target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'}   (${rounds.map((r) => `${pick(r)}/s ${(pick(r) / r.raw).toFixed(2)} ×`).join('; ')})`);
    };
    console.log('');
    console.log(`audit-reporting on a backlog of ${events} events, 2 cores (file: ${(fileSize / 1e6).toFixed(0)} MB; webhook batches of ${values['webhook-batch']}; drains: median of ${roundCount} rounds)`);
    row('raw kafkajs consume rate of the topic', rawMedian, `   (median; rounds: ${rounds.map((r) => r.raw).join('; ')})`);
    row('recorded into the hash chain', chain, `   target ≥ 5,000: ${chain >= 5000 ? 'met' : 'NOT met'}`);
    console.log(`  CPU a record while recording and shipping live (µs): ${Object.entries(recordingCpu).map(([name, ms]) => `${name} ${((ms * 1000) / events).toFixed(0)}`).join(', ')}`);
    console.log(`  audit-reporting's peak memory: recording ${recordingPeak.toFixed(0)} MB, draining ${drainingPeak.toFixed(0)} MB RSS (run from source; the chart's limit is 512 Mi)`);
    row('shipped to the file destination, live', liveFile);
    row('shipped to the batched webhook, live', liveHook);
    drainRow('file destination draining the recorded chain alone', (r) => r.fileAlone, 0.8);
    drainRow('batched webhook draining the recorded chain alone', (r) => r.hookAlone, 0.5);
    drainRow('  the same, just after a restart: file', (r) => r.fileCold, 0.8);
    drainRow('  the same, just after a restart: webhook', (r) => r.hookCold, 0.5);
    // Not what the targets are judged on: each is a destination's drain, the other being current.
    const share = (value: number) => `${value} (${(value / bothRaw).toFixed(2)} ×)`;
    console.log(`both draining at once, restarted (sharing the two cores; raw just before: ${bothRaw}/s; no target): file ${share(drainFile)}, webhook ${share(drainHook)}, together ${share(drainFile + drainHook)} records/s`);
    console.log('  CPU a record shipped while draining (µs; from the reset, or once a restarted audit-reporting is ready, to the last record; records shipped before that are not counted):');
    for (const line of drainCpu) console.log(`    ${line}`);
  } finally {
    await service.stop();
    await db.end().catch(() => undefined);
    await connection.close();
    await env.database.drop();
    receiver.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
