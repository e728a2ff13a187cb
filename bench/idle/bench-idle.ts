// What the whole system costs doing nothing: CPU per process (each service, the broker,
// PostgreSQL) over a quiet window after start-up, in % of one core. On two cores, whatever the
// system burns idle is taken from what it can do under load.
//
//   bash bench/run.sh idle [--seconds 20]
import { parseArgs } from 'node:util';
import { GatehouseSystem } from '@gatehouse/testing';
import { systemCpuMeter } from '../requests/process-cpu';
import { runBench } from '../shared/run-bench';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
  const seconds = Number(values.seconds);
  console.log('starting the five services…');
  const system = await GatehouseSystem.start('idle');
  try {
    console.log('settling for 10 s…');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const meter = systemCpuMeter(system.services);
    console.log(`measuring ${seconds} s of nothing…`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const used = meter.stop();
    console.log('');
    console.log(`CPU while idle, % of one core (${seconds} s)`);
    let total = 0;
    for (const [name, ms] of Object.entries(used)) {
      total += ms;
      console.log(`  ${name.padEnd(18)} ${((ms / (seconds * 1000)) * 100).toFixed(1).padStart(5)} %`);
    }
    console.log(`  ${'total'.padEnd(18)} ${((total / (seconds * 1000)) * 100).toFixed(1).padStart(5)} %`);
  } finally {
    await system.stop();
  }
}

runBench(main);
