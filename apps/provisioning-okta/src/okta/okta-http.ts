import http from 'node:http';
import https from 'node:https';

/** Reads a response header by name, case-insensitively (the part of fetch's Headers we use). */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: HeaderReader;
  text: string;
  ok: boolean;
}

export interface HttpCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/**
 * Okta over Node's own HTTP client with kept-alive connections. Measured against fetch and
 * @okta/okta-sdk-nodejs (`npm run bench:okta-client`, figures in docs/architecture.md), it
 * spends less than half the CPU per call; on two cores that CPU is what limits grants/s.
 */
export class OktaHttp {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(maxSockets = 32) {
    // Idle kept-alive sockets are unref'd by the agent, so they never hold a stopping process.
    const options = { keepAlive: true, maxSockets, scheduling: 'lifo' as const };
    this.agents = { http: new http.Agent(options), https: new https.Agent(options) };
  }

  request(url: string, call: HttpCall): Promise<HttpAnswer> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const send = secure ? https.request : http.request;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = send(
        target,
        {
          method: call.method,
          agent: secure ? this.agents.https : this.agents.http,
          headers: call.body === undefined ? call.headers : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(deadline);
            const status = response.statusCode ?? 0;
            const headers = response.headers;
            resolve({
              status,
              statusText: response.statusMessage ?? '',
              ok: status >= 200 && status < 300,
              text,
              headers: { get: (name) => joinHeader(headers[name.toLowerCase()]) },
            });
          });
        },
      );
      // One deadline for the whole exchange, as fetch's AbortSignal.timeout gives.
      const deadline = setTimeout(() => request.destroy(new Error(`timed out after ${call.timeoutMs} ms`)), call.timeoutMs);
      function fail(error: Error): void {
        clearTimeout(deadline);
        reject(error);
      }
      request.on('error', fail);
      request.end(call.body);
    });
  }

}

function joinHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
