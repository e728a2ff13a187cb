import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process has used so far; 0 if it is gone. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command (which may hold spaces) start after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process whose command line contains `needle` (PostgreSQL's backends, say). */
export function pidsMatching(needle: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });
}

/**
 * CPU used by named groups of processes over a window: `start()` reads the counters, `stop()`
 * returns ms used since, per group. Processes that appear during the window (new PostgreSQL
 * backends) are counted from zero.
 */
export function cpuMeter(groups: Record<string, () => number[]>): { stop: () => Record<string, number> } {
  const before = new Map<number, number>();
  for (const pids of Object.values(groups)) for (const pid of pids()) before.set(pid, processCpuMs(pid));
  return {
    stop: () =>
      Object.fromEntries(
        Object.entries(groups).map(([name, pids]) => [name, pids().reduce((sum, pid) => sum + processCpuMs(pid) - (before.get(pid) ?? 0), 0)]),
      ),
  };
}

/**
 * A cpuMeter over the whole system: each service's process, the broker (its pid file in
 * KAFKA_STATE_DIR, as scripts/kafka.sh writes it) and every PostgreSQL process.
 */
export function systemCpuMeter(services: Record<string, { pid?: number }>): { stop: () => Record<string, number> } {
  return cpuMeter({
    ...Object.fromEntries(Object.entries(services).map(([name, service]) => [name, () => (service.pid ? [service.pid] : [])])),
    kafka: () => {
      try {
        return [Number(readFileSync(path.join(process.env['KAFKA_STATE_DIR'] ?? '', 'kafka.pid'), 'utf8'))];
      } catch {
        return [];
      }
    },
    postgres: () => pidsMatching('postgres'),
  });
}
