import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DestinationError } from '../destination-error';

export interface HttpAnswer {
  status: number;
  text: string;
  header(name: string): string | null;
}

export interface Tls {
  caFile?: string;
  serverName?: string;
}

const caCache = new Map<string, Buffer>();

/**
 * One POST to a destination, over HTTP or HTTPS (trusting `tls.caFile` too). A network error or
 * a timeout is a DestinationError `retry`; any answer is returned as it is, for the sink to read,
 * once `body` is no longer read from.
 */
export function post(url: string, headers: Record<string, string>, body: string | Buffer, options: { timeoutMs: number; tls?: Tls }): Promise<HttpAnswer> {
  const target = new URL(url);
  const https = target.protocol === 'https:';
  let ca: Buffer | undefined;
  if (https && options.tls?.caFile) {
    ca = caCache.get(options.tls.caFile) ?? readFileSync(options.tls.caFile);
    caCache.set(options.tls.caFile, ca);
  }
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    let answered: HttpAnswer | undefined;
    const req = (https ? httpsRequest : httpRequest)(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) }, timeout: options.timeoutMs, ...(ca ? { ca } : {}), ...(options.tls?.serverName ? { servername: options.tls.serverName } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const answer: HttpAnswer = { status: res.statusCode ?? 0, text, header: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null };
          if (req.writableFinished || req.destroyed) return resolve(answer);
          // A server that answered before it read the body (a 413) has no use for the rest: the
          // request is cut off and settled once its socket is closed — so nothing waits on a peer
          // that stopped reading, and a sink may reuse the body's buffer for its next send.
          answered = answer;
          req.once('close', () => resolve(answer));
          req.destroy();
        });
        res.on('error', (error) => reject(new DestinationError('retry', `${target.host} broke off its answer (${error.message})`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => (answered ? resolve(answered) : reject(new DestinationError('retry', `no answer from ${target.host} (${error.message})`))));
    req.end(payload);
  });
}

/** A secret named by an environment variable; unset, the destination pauses and says which. */
export function secretFrom(env: NodeJS.ProcessEnv, name: string, destination: string): string {
  const value = env[name];
  if (!value) throw new DestinationError('pause', `${name} is not set: the ${destination} destination needs it`);
  return value;
}

/** The Authorization header of bearer, basic or API-key credentials. */
export function authorization(auth: { bearerTokenEnv: string } | { username: string; passwordEnv: string } | { apiKeyEnv: string } | undefined, env: NodeJS.ProcessEnv, destination: string): Record<string, string> {
  if (!auth) return {};
  if ('bearerTokenEnv' in auth) return { authorization: `Bearer ${secretFrom(env, auth.bearerTokenEnv, destination)}` };
  if ('apiKeyEnv' in auth) return { authorization: `ApiKey ${secretFrom(env, auth.apiKeyEnv, destination)}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${secretFrom(env, auth.passwordEnv, destination)}`).toString('base64')}` };
}
