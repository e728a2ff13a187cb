import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { doctorReport, type CheckResult } from '@gatehouse/config';

const SERVICES = ['gateway', 'approval', 'audit-reporting', 'provisioning-okta', 'slack-bot'] as const;

export const DOCTOR_USAGE = `  doctor [--service <name>] [--json]                    check the configuration before anyone depends on it:
                                                        Kafka, PostgreSQL, flows, Slack, Okta; says what to fix`;

/**
 * Another app's command (a TypeScript entry under apps/), run from the repository root with this
 * shell's environment: the CLI lives in the gateway, but each service checks with its own code.
 */
function spawnAppCommand(entry: string, args: readonly string[], stdio: 'inherit' | 'pipe'): ChildProcess {
  const root = path.resolve(__dirname, '../../../..');
  return spawn(process.execPath, [path.join(root, 'scripts/run-ts.cjs'), path.join(root, entry), ...args], { cwd: root, env: process.env, stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
}

/** Runs one service's doctor (its own config and clients) and gathers its findings. */
function runServiceDoctor(service: string): Promise<CheckResult[]> {
  return new Promise((resolve) => {
    const child = spawnAppCommand(`apps/${service}/src/doctor/main.ts`, [], 'pipe');
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => {
      const results = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as CheckResult);
      if (results.length === 0) results.push({ service, check: 'doctor', status: 'fail', detail: `could not run (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ') || 'no output'}` });
      resolve(results);
    });
  });
}

/**
 * `gatehouse doctor`: each service checks what it depends on with its own configuration and
 * clients (run here with this shell's environment; in a cluster, run it in each service's pod
 * with --service). Exit 1 when anything must be fixed.
 */
export async function runDoctor(args: string[], usage: string): Promise<number> {
  const { values } = parseArgs({ args, options: { service: { type: 'string' }, json: { type: 'boolean' } } });
  if (values.service && !(SERVICES as readonly string[]).includes(values.service)) {
    console.error(`gatehouse: no service "${values.service}"; one of ${SERVICES.join(', ')}\n\n${usage}`);
    return 2;
  }
  const services = values.service ? [values.service] : [...SERVICES];
  if (!values.json) console.error(`checking ${services.join(', ')}…`);
  const results = (await Promise.all(services.map(runServiceDoctor))).flat();
  console.log(values.json ? JSON.stringify(results, null, 2) : doctorReport(results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** `gatehouse audit verify|destinations`: audit-reporting's own command, run with this shell's environment; its exit code is ours. */
export function runAuditCommand(command: 'verify' | 'destinations', args: readonly string[] = []): Promise<number> {
  return new Promise((resolve) => {
    const child = spawnAppCommand(`apps/audit-reporting/src/cli/audit-${command}.ts`, args, 'inherit');
    child.on('close', (code) => resolve(code ?? 2));
  });
}
