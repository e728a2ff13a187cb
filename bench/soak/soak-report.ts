import type { FaultKind, SoakReport } from '@gatehouse/testing';

/** The soak's figures as a person reads them: the load, the faults by kind, each invariant. */
export function formatSoakReport(report: SoakReport, run: { minutes: number; seed: number; wallSeconds: number }): string {
  const c = report.load;
  const byKind = new Map<FaultKind, { n: number; failed: number; ms: number[] }>();
  for (const f of report.faults) {
    const entry = byKind.get(f.kind) ?? { n: 0, failed: 0, ms: [] };
    entry.n += 1;
    if (f.error) entry.failed += 1;
    else entry.ms.push(f.tookMs);
    byKind.set(f.kind, entry);
  }
  const lines = [
    `chaos soak: ${run.minutes} min of load and faults (seed ${run.seed}), ${Math.round(run.wallSeconds)} s in all`,
    `requests     ${c.offered} offered: ${c.created} created (201), ${c.queued} queued (202), ${c.unavailable} turned away while a part was down (503/504/no answer), ${c.unexpected} other`,
    `steps        ${c.approvedByApi} approved by API, ${c.slackClicks} approve clicks in Slack (${c.slackTooLate} meant for Slack approved by API: no message in the channel 20 s on), ${c.denied} denied, ${c.cancelled} cancelled, ${c.revoked} revoked, ${c.expired} expiries brought forward; ${c.retried} steps tried again`,
    `faults       ${report.faults.length} in all`,
    ...[...byKind].map(([kind, e]) => `  ${kind.padEnd(17)} ${String(e.n).padStart(4)}${e.failed ? ` (${e.failed} could not be injected)` : ''}   healed in mean ${e.ms.length ? (e.ms.reduce((a, b) => a + b, 0) / e.ms.length / 1000).toFixed(1) : '–'} s, max ${e.ms.length ? (Math.max(...e.ms) / 1000).toFixed(1) : '–'} s`),
    `settled      ${(report.settledInMs / 1000).toFixed(1)} s after the last fault`,
    `invariants`,
    ...report.invariants.map((i) => `  ${i.ok ? 'holds ' : 'BROKEN'}  ${i.name}\n          ${i.detail}`),
    report.ok ? `every invariant holds` : `${report.invariants.filter((i) => !i.ok).length} invariant(s) broken`,
  ];
  return lines.join('\n');
}

/** Per slice of the run: what the POSTs got back, and the faults that began in it. */
export function formatTimeline(report: SoakReport, sliceSeconds = 5): string {
  const slices = new Map<number, Map<number, number>>();
  for (const a of report.answers) {
    const slice = Math.floor((a.at - report.startedAt) / 1000 / sliceSeconds);
    const counts = slices.get(slice) ?? new Map<number, number>();
    counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    slices.set(slice, counts);
  }
  const faultsIn = (slice: number) =>
    report.faults.filter((f) => Math.floor((f.at - report.startedAt) / 1000 / sliceSeconds) === slice).map((f) => `${f.kind}: ${f.detail}`);
  return [...slices.keys()]
    .sort((a, b) => a - b)
    .map((slice) => {
      const counts = slices.get(slice) as Map<number, number>;
      const answers = [...counts].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status === 0 ? 'none' : status} ×${n}`).join(', ');
      return `  t=${String(slice * sliceSeconds).padStart(5)} s  ${answers.padEnd(40)} ${faultsIn(slice).join('; ')}`;
    })
    .join('\n');
}
