// How much CPU one Okta call costs this process, three ways: Node's fetch, the official
// @okta/okta-sdk-nodejs, and Node's http client with kept-alive connections (the transport
// provisioning-okta's OktaHttp uses; `npm run bench:grants` measures the service itself).
// Each grant is a user read and a membership write, each answer read in full with its
// rate-limit header; the fake Okta runs in a process of its own so the CPU is the client's.
//
//   npm run bench:okta-client [-- --grants 3000 --concurrency 16 --rounds 3]
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client as OktaSdkClient } from '@okta/okta-sdk-nodejs';
import { runBench } from '../shared/run-bench';

const GROUP = '00gbenchgroup0000001';
type Grant = (n: number) => Promise<void>;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { grants: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' } },
  });
  const grants = Number(values.grants);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const variants = ['fetch', '@okta/okta-sdk-nodejs', 'node:http, kept-alive connections'] as const;

  const server = spawn(process.execPath, [path.join(__dirname, '../../scripts/run-ts.cjs'), path.join(__dirname, 'fake-okta-server.ts'), String(grants * variants.length * (rounds + 1))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout as NodeJS.ReadableStream }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`fake Okta exited (${code})`)));
    });
    const { url, token } = JSON.parse(line) as { url: string; token: string };

    const viaFetch: Grant = async (n) => {
      const headers = { authorization: `SSWS ${token}`, accept: 'application/json' };
      const found = await fetch(`${url}/api/v1/users/${encodeURIComponent(`user${n}@example.com`)}`, { headers, signal: AbortSignal.timeout(10_000) });
      const user = (await found.json()) as { id: string };
      found.headers.get('x-rate-limit-remaining');
      const put = await fetch(`${url}/api/v1/groups/${GROUP}/users/${user.id}`, { method: 'PUT', headers, signal: AbortSignal.timeout(10_000) });
      await put.text();
      if (put.status !== 204) throw new Error(`PUT answered ${put.status}`);
    };
    const sdk = new OktaSdkClient({ orgUrl: url, token });
    const viaSdk: Grant = async (n) => {
      const user = await sdk.userApi.getUser({ userId: `user${n}@example.com` });
      await sdk.groupApi.assignUserToGroup({ groupId: GROUP, userId: user.id as string });
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const call = (method: string, target: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(target, { method, agent, timeout: 10_000, headers: { authorization: `SSWS ${token}`, accept: 'application/json' } }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            void response.headers['x-rate-limit-remaining'];
            resolve({ status: response.statusCode ?? 0, body });
          });
        });
        request.on('error', reject);
        request.end();
      });
    const viaHttp: Grant = async (n) => {
      const user = JSON.parse((await call('GET', `${url}/api/v1/users/${encodeURIComponent(`user${n}@example.com`)}`)).body) as { id: string };
      const put = await call('PUT', `${url}/api/v1/groups/${GROUP}/users/${user.id}`);
      if (put.status !== 204) throw new Error(`PUT answered ${put.status}`);
    };
    const grant: Record<(typeof variants)[number], Grant> = { fetch: viaFetch, '@okta/okta-sdk-nodejs': viaSdk, 'node:http, kept-alive connections': viaHttp };

    let nextUser = 0;
    const measure = async (run: Grant) => {
      const first = nextUser;
      nextUser += grants;
      let next = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < grants) await run(first + next++);
        }),
      );
      const used = process.cpuUsage(cpu);
      return { cpuPerCall: (used.user + used.system) / 1000 / (grants * 2), perSecond: grants / ((performance.now() - started) / 1000) };
    };

    console.log(`warming up each client (${grants} grants)…`);
    for (const variant of variants) await measure(grant[variant]);
    const results = new Map<string, { cpuPerCall: number; perSecond: number }[]>(variants.map((v) => [v, []]));
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round} of ${rounds}…`);
      for (const variant of variants) results.get(variant)?.push(await measure(grant[variant]));
    }
    agent.destroy();

    console.log('');
    console.log(`${grants} grants (user read + membership write) per round, ${concurrency} at once, fake Okta in its own process; median of ${rounds} rounds`);
    console.log('client                                CPU ms per call   grants/s');
    for (const variant of variants) {
      const rows = results.get(variant) ?? [];
      const cpu = median(rows.map((r) => r.cpuPerCall));
      const rate = median(rows.map((r) => r.perSecond));
      console.log(`${variant.padEnd(38)}${cpu.toFixed(3).padStart(15)}   ${rate.toFixed(0).padStart(8)}`);
    }
  } finally {
    server.stdin?.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

runBench(main);
