// Start-up time and idle memory of each service, run from source (swc at run time, as
// `npm start` runs them) and from its production build (its runtime layout, as the image runs
// it): time from spawn to /readyz answering 200, and resident memory (VmRSS) after 10 s idle.
// Each start is on a fresh database, so it includes the migrations; three starts each, median.
//
//   bash bench/run.sh startup [--runs 3]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { createTestDatabase, freePort, SERVICE_ENTRIES, ServiceProcess, TEST_FLOWS_FILE, testKafkaBrokers, uniqueSuffix, type ServiceName } from '@gatehouse/testing';
import { procStatusMb } from '../shared/proc-status';
import { runBench } from '../shared/run-bench';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function measure(name: ServiceName, entry: string): Promise<{ startMs: number; rssMb: number }> {
  const database = await createTestDatabase(`benchstart${name.replace(/-/g, '')}`);
  const service = new ServiceProcess(name, entry, await freePort(), {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: `benchstart${uniqueSuffix()}.`,
    GATEHOUSE_FLOWS: TEST_FLOWS_FILE,
    LOG_LEVEL: 'warn',
  });
  try {
    const began = performance.now();
    await service.start();
    const startMs = Math.round(performance.now() - began);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    return { startMs, rssMb: Math.round(procStatusMb(service.pid as number, 'VmRSS')) };
  } finally {
    await service.stop();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-layouts-'));
  const rows: string[] = [];
  try {
    for (const name of Object.keys(SERVICE_ENTRIES) as ServiceName[]) {
      const layout = path.join(dir, name);
      console.log(`${name}: assembling its runtime layout…`);
      await run('bash', [path.join(ROOT, 'scripts/runtime-layout.sh'), name, layout]);
      const source: { startMs: number; rssMb: number }[] = [];
      const built: { startMs: number; rssMb: number }[] = [];
      for (let i = 0; i < runs; i++) {
        source.push(await measure(name, SERVICE_ENTRIES[name]));
        built.push(await measure(name, path.join(layout, 'main.js')));
        console.log(`  run ${i + 1}: from source ${source.at(-1)?.startMs} ms, ${source.at(-1)?.rssMb} MB; built ${built.at(-1)?.startMs} ms, ${built.at(-1)?.rssMb} MB`);
      }
      rows.push(
        `| ${name} | ${median(source.map((s) => s.startMs))} ms | ${median(built.map((s) => s.startMs))} ms | ${median(source.map((s) => s.rssMb))} MB | ${median(built.map((s) => s.rssMb))} MB |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  console.log(`start-up to /readyz (fresh database, migrations included) and RSS after 10 s idle, median of ${runs}`);
  console.log('| service | start, from source | start, built | RSS, from source | RSS, built |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}

runBench(main);
