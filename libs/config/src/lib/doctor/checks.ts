import type { z } from 'zod';
import { ConfigError, loadConfig } from '../load-config';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One finding: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  service: string;
  check: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export type Finding = Omit<CheckResult, 'service' | 'check'> & { check?: string };
export interface Check {
  name: string;
  run: () => Promise<Finding | Finding[]>;
}

export const pass = (detail: string): Finding => ({ status: 'pass', detail });
export const warn = (detail: string, fix?: string): Finding => ({ status: 'warn', detail, ...(fix ? { fix } : {}) });
export const fail = (detail: string, fix?: string): Finding => ({ status: 'fail', detail, ...(fix ? { fix } : {}) });

const CHECK_TIMEOUT_MS = 20_000;

/** Runs checks side by side; one that throws or hangs is a failure naming why, never a crash. */
export async function runChecks(service: string, checks: readonly Check[]): Promise<CheckResult[]> {
  const results = await Promise.all(
    checks.map(async (check): Promise<CheckResult[]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS)));
        const found = await Promise.race([check.run(), timeout]);
        return (Array.isArray(found) ? found : [found]).map((f) => ({ ...f, service, check: f.check ?? check.name }));
      } catch (error) {
        return [{ service, check: check.name, status: 'fail', detail: error instanceof Error ? error.message : String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.flat();
}

/**
 * A service's `doctor` entry point: validates its configuration as it would at start-up (a bad
 * one is the first finding, not an exit), runs its checks, and prints one JSON line per finding
 * for `gatehouse doctor` to gather.
 */
export async function doctorMain<TSchema extends z.ZodType>(service: string, schema: TSchema, checksFor: (config: z.output<TSchema>) => Check[]): Promise<void> {
  let results: CheckResult[];
  try {
    const config = loadConfig(schema);
    results = [{ service, check: 'configuration', status: 'pass', detail: 'environment valid' }, ...(await runChecks(service, checksFor(config)))];
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.join('; ') : String(error);
    results = [{ service, check: 'configuration', status: 'fail', detail: problems, fix: 'fix these environment variables' }];
  }
  for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗' };

/** The findings as a person reads them: by service, a mark, what was found, and what to do. */
export function doctorReport(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  for (const service of [...new Set(results.map((r) => r.service))]) {
    lines.push(service);
    for (const r of results.filter((x) => x.service === service)) {
      lines.push(`  ${MARK[r.status]} ${r.check}: ${r.detail}`);
      if (r.fix && r.status !== 'pass') lines.push(`      → ${r.fix}`);
    }
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('', failed ? `${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}.` : warned ? `No problems; ${warned} warning(s).` : 'All good.');
  return lines.join('\n');
}

/** The flows file reads and validates; every problem with its file, line and field. */
export function flowsFileCheck(path: string, load: (path: string) => { flows: readonly unknown[] }): Check {
  return {
    name: 'flows file',
    run: async () => {
      try {
        const file = load(path);
        return pass(`${path}: ${file.flows.length} flow(s), valid`);
      } catch (error) {
        return fail(error instanceof Error ? error.message.replace(/\n\s*/g, '; ') : String(error), `fix ${path} (npm run gatehouse -- flows validate ${path})`);
      }
    },
  };
}
