import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '@gatehouse/config';
import type { RequestView } from '@gatehouse/contracts';

/**
 * `gatehouse requests …` and `gatehouse flows list`: the REST API from a terminal.
 * GATEHOUSE_URL (default http://127.0.0.1:3000) and GATEHOUSE_TOKEN say where and as whom.
 */
export const API_USAGE = `  flows list                                            what may be requested
  requests create --flow F --target T --duration 1h --reason R
  requests list [--requester EMAIL] [--status S] [--flow F]
  requests get <id>
  requests approve <id>
  requests deny <id> --reason R
  requests cancel <id>
  requests revoke <id>
  requests extend <id> --duration 1h [--reason R]
  requests again <id> [--duration 1h] [--reason R]
  (you act as the owner of GATEHOUSE_TOKEN; a service token holding act-as adds
   --as EMAIL to act for that person; add --json for the raw answer; GATEHOUSE_URL
   says where the gateway is)`;

class CliError extends Error {}

async function call(method: 'GET' | 'POST', path: string, body?: unknown, onBehalfOf?: string): Promise<unknown> {
  const token = process.env['GATEHOUSE_TOKEN'];
  if (!token) throw new CliError('GATEHOUSE_TOKEN is not set: an admin mints yours with `npm run gatehouse -- tokens create --for <your email> --scopes requests:read,requests:write,decisions:write`');
  const base = process.env['GATEHOUSE_URL'] ?? 'http://127.0.0.1:3000';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(onBehalfOf ? { 'gatehouse-on-behalf-of': onBehalfOf } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new CliError(`cannot reach the gateway at ${base}: is it running (npm start), or is GATEHOUSE_URL wrong?`);
  }
  const payload = (await response.json().catch(() => ({}))) as { message?: string | string[] };
  if (!response.ok) throw new CliError(`${response.status}: ${[payload.message].flat().join('; ') || response.statusText}`);
  return payload;
}

function describe(request: RequestView): string {
  const approvals = `${request.approvals.count}/${request.approvals.required} approvals`;
  const until = request.access ? `, until ${request.access.expiresAt}` : '';
  return `${request.id}  ${request.status.padEnd(12)} ${request.flow}/${request.target} for ${formatDuration(request.durationSeconds)}  ${request.requester.email}  ${approvals}${until}`;
}

export async function runApiCommand(group: string, command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      flow: { type: 'string' },
      target: { type: 'string' },
      duration: { type: 'string' },
      reason: { type: 'string' },
      requester: { type: 'string' },
      status: { type: 'string' },
      as: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const as = values.as;
  const print = (payload: unknown, human: () => string) => console.log(values.json ? JSON.stringify(payload, null, 2) : human());
  const id = positionals[0];
  const need = (value: string | undefined, flag: string): string => {
    if (!value) throw new CliError(`missing ${flag}`);
    return value;
  };
  try {
    if (group === 'flows' && command === 'list') {
      const payload = (await call('GET', '/api/v1/flows', undefined, as)) as { flows: { name: string; targets: { id: string }[]; durationsSeconds: number[]; approvalsRequired: number }[] };
      print(payload, () => payload.flows.map((f) => `${f.name}: ${f.targets.map((t) => t.id).join(', ')} · ${f.durationsSeconds.map(formatDuration).join('/')} · ${f.approvalsRequired} approval(s)`).join('\n'));
      return 0;
    }
    if (group !== 'requests') throw new CliError(`unknown command "${group} ${command}"`);
    let payload: unknown;
    switch (command) {
      case 'create': {
        const duration = need(values.duration, '--duration (e.g. 1h)');
        payload = await call('POST', '/api/v1/requests', {
          flow: need(values.flow, '--flow'),
          target: need(values.target, '--target'),
          durationSeconds: /^\d+$/.test(duration) ? Number(duration) : parseDuration(duration),
          reason: values.reason ?? '',
        }, as);
        break;
      }
      case 'list': {
        const query = new URLSearchParams(
          Object.entries({ requester: values.requester, status: values.status, flow: values.flow }).filter((e): e is [string, string] => !!e[1]),
        );
        const list = (await call('GET', `/api/v1/requests${query.size ? `?${query}` : ''}`, undefined, as)) as { requests: RequestView[] };
        print(list, () => list.requests.map(describe).join('\n') || 'no requests');
        return 0;
      }
      case 'get':
        payload = await call('GET', `/api/v1/requests/${need(id, '<id>')}`, undefined, as);
        break;
      case 'approve':
        payload = await call('POST', `/api/v1/requests/${need(id, '<id>')}/approve`, {}, as);
        break;
      case 'deny':
        payload = await call('POST', `/api/v1/requests/${need(id, '<id>')}/deny`, { reason: need(values.reason, '--reason') }, as);
        break;
      case 'extend':
      case 'again': {
        const duration = command === 'extend' ? need(values.duration, '--duration (e.g. 1h)') : values.duration;
        payload = await call('POST', `/api/v1/requests/${need(id, '<id>')}/${command}`, {
          ...(duration ? { durationSeconds: /^\d+$/.test(duration) ? Number(duration) : parseDuration(duration) } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
        }, as);
        break;
      }
      case 'cancel':
      case 'revoke':
        payload = await call('POST', `/api/v1/requests/${need(id, '<id>')}/${command}`, {}, as);
        break;
      default:
        throw new CliError(`unknown command "requests ${command}"`);
    }
    const result = payload as { request?: RequestView; result?: string };
    print(payload, () => `${result.result ? `${result.result}: ` : ''}${result.request ? describe(result.request) : JSON.stringify(payload)}`);
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`gatehouse: ${error.message}`);
    return 1;
  }
}
