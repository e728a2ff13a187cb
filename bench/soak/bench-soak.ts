// The chaos soak: the whole system under steady mixed load while a fault arrives every few
// seconds (a service SIGKILLed, the broker stopped, PostgreSQL restarted, Okta answering 429
// and 5xx, Slack answering 5xx); then the invariants, printed. Exit 1 if one does not hold.
//
//   npm run soak -- --minutes 30 [--rate 5] [--fault-every 5] [--seed 42] [--faults kill-service,stop-broker] [--timeline]
import { parseArgs } from 'node:util';
import { FAULT_KINDS, runChaosSoak, type FaultKind } from '@gatehouse/testing';
import { formatSoakReport, formatTimeline } from './soak-report';
import { runBench } from '../shared/run-bench';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      rate: { type: 'string', default: '5' },
      'fault-every': { type: 'string', default: '5' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      timeline: { type: 'boolean', default: false },
    },
  });
  const faults = values.faults?.split(',').map((f) => f.trim()) as FaultKind[] | undefined;
  const unknown = faults?.filter((f) => !FAULT_KINDS.includes(f));
  if (unknown?.length) {
    console.error(`unknown fault ${unknown.join(', ')}: choose among ${FAULT_KINDS.join(', ')}`);
    return 2;
  }
  const seed = values.seed ? Number(values.seed) : Date.now() % 1_000_000;
  const started = Date.now();
  const report = await runChaosSoak({
    minutes: Number(values.minutes),
    ratePerSecond: Number(values.rate),
    faultEverySeconds: Number(values['fault-every']),
    seed,
    faults,
    log: (line) => console.log(line),
  });
  if (values.timeline) console.log(`\nPOST answers per 5 s, and the faults that began then\n${formatTimeline(report)}`);
  console.log('');
  console.log(formatSoakReport(report, { minutes: Number(values.minutes), seed, wallSeconds: (Date.now() - started) / 1000 }));
  return report.ok ? 0 : 1;
}

runBench(main, 'soak');
