import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Okta org for tests: a real HTTP server with the Management API paths, bodies,
 * error codes (E0000007, E0000011, E0000047…), `Link` pagination and rate-limit headers of
 * the real one, plus knobs to inject failures and latency.
 */
export interface FakeUser {
  id: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'DEPROVISIONED';
  profile: { login: string; email: string; firstName: string; lastName: string };
}

export interface FakeGroup {
  id: string;
  profile: { name: string; description: string };
}

interface Bucket {
  limit: number;
  remaining: number;
  resetAt: number;
}

export class FakeOkta {
  readonly apiToken = `00${randomBytes(20).toString('base64url')}`;
  private readonly users = new Map<string, FakeUser>();
  private readonly groups = new Map<string, FakeGroup>();
  private readonly members = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, Bucket>();
  private server?: Server;
  /** Requests per window per endpoint family; undefined = unlimited. */
  rateLimitPerMinute?: number;
  /** Okta's window is a minute; tests may shorten it. */
  rateLimitWindowMs = 60_000;
  /** Every request waits this long first. */
  latencyMs = 0;
  /** The next N requests fail with this status (500, 502, 503…). */
  private failures: { status: number; remaining: number } = { status: 500, remaining: 0 };
  readonly log: { method: string; path: string; status: number }[] = [];

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeOkta is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addUser(email: string, name = email.split('@')[0]): FakeUser {
    const user: FakeUser = { id: `00u${randomBytes(8).toString('hex').slice(0, 17)}`, status: 'ACTIVE', profile: { login: email, email, firstName: name, lastName: 'Test' } };
    this.users.set(user.id, user);
    return user;
  }

  addGroup(id: string, name = id): FakeGroup {
    const group = { id, profile: { name, description: '' } };
    this.groups.set(id, group);
    this.members.set(id, new Set());
    return group;
  }

  addMember(groupId: string, userId: string): void {
    this.members.get(groupId)?.add(userId);
  }

  /** A change made outside Gatehouse, by an Okta admin. */
  removeMember(groupId: string, userId: string): void {
    this.members.get(groupId)?.delete(userId);
  }

  isMember(groupId: string, email: string): boolean {
    const user = this.findUser(email);
    return !!user && !!this.members.get(groupId)?.has(user.id);
  }

  failNext(count: number, status = 500): void {
    this.failures = { status, remaining: count };
  }

  private findUser(idOrLogin: string): FakeUser | undefined {
    const key = decodeURIComponent(idOrLogin).toLowerCase();
    return this.users.get(idOrLogin) ?? [...this.users.values()].find((u) => u.profile.login.toLowerCase() === key);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      this.log.push({ method: req.method ?? 'GET', path: url.pathname, status });
      res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, code: string, summary: string, headers: Record<string, string> = {}) =>
      send(status, { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${randomUUID().replace(/-/g, '').slice(0, 19)}`, errorCauses: [] }, headers);

    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (req.headers.authorization !== `SSWS ${this.apiToken}`) return error(401, 'E0000011', 'Invalid token provided');

    const family = familyOf(req.method ?? 'GET', url.pathname);
    const limits = this.rateHeaders(family);
    if (limits.exceeded) return error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.', limits.headers);
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      return error(this.failures.status, 'E0000009', 'Internal Server Error', limits.headers);
    }

    const parts = url.pathname.split('/').filter(Boolean); // api v1 users {id} groups
    const method = req.method ?? 'GET';
    if (parts[0] !== 'api' || parts[1] !== 'v1') return error(404, 'E0000022', 'The endpoint does not support the provided HTTP method', limits.headers);

    if (parts[2] === 'users' && parts[3] && method === 'GET') {
      const user = this.findUser(parts[3]);
      if (!user) return error(404, 'E0000007', `Not found: Resource not found: ${decodeURIComponent(parts[3])} (User)`, limits.headers);
      if (parts[4] === 'groups') {
        const groups = [...this.groups.values()].filter((g) => this.members.get(g.id)?.has(user.id));
        return this.page(url, groups, (g) => g.id, send, limits.headers);
      }
      return send(200, user, limits.headers);
    }
    if (parts[2] === 'groups' && parts[3] && parts[4] === 'users') {
      const group = this.groups.get(parts[3]);
      if (!group) return error(404, 'E0000007', `Not found: Resource not found: ${parts[3]} (UserGroup)`, limits.headers);
      const members = this.members.get(group.id) as Set<string>;
      if (method === 'GET' && !parts[5]) {
        const users = [...members].map((id) => this.users.get(id) as FakeUser);
        return this.page(url, users, (u) => u.id, send, limits.headers);
      }
      const user = parts[5] ? this.users.get(parts[5]) : undefined;
      if (!user) return error(404, 'E0000007', `Not found: Resource not found: ${parts[5]} (User)`, limits.headers);
      if (method === 'PUT') {
        members.add(user.id);
        return send(204, undefined, limits.headers);
      }
      if (method === 'DELETE') {
        if (!members.has(user.id)) return error(404, 'E0000007', `Not found: Resource not found: ${user.id} (GroupMembership)`, limits.headers);
        members.delete(user.id);
        return send(204, undefined, limits.headers);
      }
    }
    return error(404, 'E0000022', 'The endpoint does not support the provided HTTP method', limits.headers);
  }

  /** Okta's cursor pagination: `limit`, `after`, and a `Link: <…>; rel="next"` header. */
  private page<T>(url: URL, items: T[], idOf: (item: T) => string, send: (status: number, body: unknown, headers: Record<string, string>) => void, headers: Record<string, string>): void {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 200), 200);
    const after = url.searchParams.get('after');
    const start = after ? items.findIndex((item) => idOf(item) === after) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const links = [`<${this.url}${url.pathname}?limit=${limit}>; rel="self"`];
    if (start + limit < items.length) links.push(`<${this.url}${url.pathname}?after=${idOf(slice[slice.length - 1])}&limit=${limit}>; rel="next"`);
    send(200, slice, { ...headers, link: links.join(', ') });
  }

  private rateHeaders(family: string): { exceeded: boolean; headers: Record<string, string> } {
    if (this.rateLimitPerMinute === undefined) return { exceeded: false, headers: {} };
    const now = Date.now();
    let bucket = this.buckets.get(family);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { limit: this.rateLimitPerMinute, remaining: this.rateLimitPerMinute, resetAt: now + this.rateLimitWindowMs };
      this.buckets.set(family, bucket);
    }
    const exceeded = bucket.remaining <= 0;
    if (!exceeded) bucket.remaining -= 1;
    return {
      exceeded,
      headers: {
        'x-rate-limit-limit': String(bucket.limit),
        'x-rate-limit-remaining': String(bucket.remaining),
        'x-rate-limit-reset': String(Math.ceil(bucket.resetAt / 1000)),
      },
    };
  }
}

/** Okta counts limits per endpoint family; close enough: users reads, group reads, membership writes. */
function familyOf(method: string, path: string): string {
  if (/\/groups\/[^/]+\/users\/[^/]+$/.test(path) && method !== 'GET') return 'group-membership-writes';
  if (path.startsWith('/api/v1/groups')) return 'groups';
  return 'users';
}
