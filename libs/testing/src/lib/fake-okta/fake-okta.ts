import { createPublicKey, randomBytes, randomUUID, verify, type KeyObject } from 'node:crypto';
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
  /** OKTA_GROUP (Okta-mastered), APP_GROUP (imported from an app: membership not changeable), BUILT_IN (Everyone). */
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
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
  /** OAuth 2.0 service apps (private_key_jwt) and the access tokens issued to them. */
  private readonly serviceApps = new Map<string, { publicKey: KeyObject; scopes: string[] }>();
  private readonly accessTokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  readonly usedAssertionIds = new Set<string>();
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
  /**
   * Every change a membership call made, as Okta's System Log records it
   * (group.user_membership.add/remove): a PUT of a member already there changes nothing.
   */
  readonly membershipChanges: { groupId: string; userId: string; change: 'added' | 'removed'; at: number }[] = [];

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

  /** A user whose login is their email unless `login` says otherwise (as in many real orgs). */
  addUser(email: string, name = email.split('@')[0], login = email): FakeUser {
    const user: FakeUser = { id: `00u${randomBytes(8).toString('hex').slice(0, 17)}`, status: 'ACTIVE', profile: { login, email, firstName: name, lastName: 'Test' } };
    this.users.set(user.id, user);
    return user;
  }

  addGroup(id: string, name = id, type: FakeGroup['type'] = 'OKTA_GROUP'): FakeGroup {
    const group: FakeGroup = { id, type, profile: { name, description: '' } };
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
    const user = this.findUser(email) ?? this.searchUsers(`profile.email eq "${email}"`)?.[0];
    return !!user && !!this.members.get(groupId)?.has(user.id);
  }

  /** Registers an API service app that signs its client assertions with this key pair. */
  /** The emails of a group's members now. */
  memberEmails(groupId: string): Set<string> {
    return new Set([...(this.members.get(groupId) ?? [])].map((id) => this.users.get(id)?.profile.email ?? id));
  }

  /** A user's email by Okta id (membershipChanges name users by id). */
  emailOf(userId: string): string | undefined {
    return this.users.get(userId)?.profile.email;
  }

  registerServiceApp(clientId: string, publicKeyPem: string, scopes: string[]): void {
    this.serviceApps.set(clientId, { publicKey: createPublicKey(publicKeyPem), scopes });
  }

  failNext(count: number, status = 500): void {
    this.failures = { status, remaining: count };
  }

  private findUser(idOrLogin: string): FakeUser | undefined {
    const key = decodeURIComponent(idOrLogin).toLowerCase();
    return this.users.get(idOrLogin) ?? [...this.users.values()].find((u) => u.profile.login.toLowerCase() === key);
  }

  /**
   * `GET /api/v1/users?search=…`: the subset of Okta's search expressions Gatehouse sends,
   * `profile.email eq "…"` and `profile.login eq "…"` (case-insensitive, as Okta compares).
   */
  private searchUsers(expression: string): FakeUser[] | undefined {
    const match = /^profile\.(email|login) eq "((?:[^"\\]|\\.)*)"$/.exec(expression.trim());
    if (!match) return undefined;
    const field = match[1] as 'email' | 'login';
    const value = match[2].replace(/\\(.)/g, '$1').toLowerCase();
    return [...this.users.values()].filter((u) => u.profile[field].toLowerCase() === value);
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
    if (url.pathname === '/oauth2/v1/token' && req.method === 'POST') return this.token(req, send);
    const auth = req.headers.authorization ?? '';
    let scopes: string[] | undefined;
    if (auth.startsWith('Bearer ')) {
      const token = this.accessTokens.get(auth.slice('Bearer '.length));
      if (!token || token.expiresAt <= Date.now()) return error(401, 'E0000011', 'Invalid token provided');
      scopes = token.scopes;
    } else if (auth !== `SSWS ${this.apiToken}`) {
      return error(401, 'E0000011', 'Invalid token provided');
    }

    const family = familyOf(req.method ?? 'GET', url.pathname);
    const limits = this.rateHeaders(family);
    if (limits.exceeded) return error(429, 'E0000047', 'API call exceeded rate limit due to too many requests.', limits.headers);
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      return error(this.failures.status, 'E0000009', 'Internal Server Error', limits.headers);
    }

    const parts = url.pathname.split('/').filter(Boolean); // api v1 users {id} groups
    const method = req.method ?? 'GET';
    if (scopes) {
      const needed = parts[2] === 'groups' ? (method === 'GET' ? ['okta.groups.read', 'okta.groups.manage'] : ['okta.groups.manage']) : ['okta.users.read', 'okta.users.manage'];
      if (!needed.some((scope) => scopes?.includes(scope))) return error(403, 'E0000006', 'You do not have permission to perform the requested action', limits.headers);
    }
    if (parts[0] !== 'api' || parts[1] !== 'v1') return error(404, 'E0000022', 'The endpoint does not support the provided HTTP method', limits.headers);

    if (parts[2] === 'users' && !parts[3] && method === 'GET') {
      const search = url.searchParams.get('search');
      const found = search === null ? [...this.users.values()] : this.searchUsers(search);
      if (!found) return error(400, 'E0000031', 'Invalid search criteria.', limits.headers);
      return this.page(url, found, (u) => u.id, send, limits.headers);
    }
    if (parts[2] === 'users' && parts[3] && method === 'GET') {
      const user = this.findUser(parts[3]);
      if (!user) return error(404, 'E0000007', `Not found: Resource not found: ${decodeURIComponent(parts[3])} (User)`, limits.headers);
      if (parts[4] === 'groups') {
        const groups = [...this.groups.values()].filter((g) => this.members.get(g.id)?.has(user.id));
        return this.page(url, groups, (g) => g.id, send, limits.headers);
      }
      return send(200, user, limits.headers);
    }
    if (parts[2] === 'groups' && parts[3] && !parts[4] && method === 'GET') {
      const group = this.groups.get(parts[3]);
      if (!group) return error(404, 'E0000007', `Not found: Resource not found: ${parts[3]} (UserGroup)`, limits.headers);
      return send(200, group, limits.headers);
    }
    if (parts[2] === 'groups' && parts[3] && parts[4] === 'users') {
      const group = this.groups.get(parts[3]);
      if (!group) return error(404, 'E0000007', `Not found: Resource not found: ${parts[3]} (UserGroup)`, limits.headers);
      if (method !== 'GET' && group.type !== 'OKTA_GROUP') return error(400, 'E0000060', 'Unsupported operation.', limits.headers);
      const members = this.members.get(group.id) as Set<string>;
      if (method === 'GET' && !parts[5]) {
        const users = [...members].map((id) => this.users.get(id) as FakeUser);
        return this.page(url, users, (u) => u.id, send, limits.headers);
      }
      const user = parts[5] ? this.users.get(parts[5]) : undefined;
      if (!user) return error(404, 'E0000007', `Not found: Resource not found: ${parts[5]} (User)`, limits.headers);
      if (method === 'PUT') {
        if (!members.has(user.id)) this.membershipChanges.push({ groupId: group.id, userId: user.id, change: 'added', at: Date.now() });
        members.add(user.id);
        return send(204, undefined, limits.headers);
      }
      if (method === 'DELETE') {
        if (!members.has(user.id)) return error(404, 'E0000007', `Not found: Resource not found: ${user.id} (GroupMembership)`, limits.headers);
        members.delete(user.id);
        this.membershipChanges.push({ groupId: group.id, userId: user.id, change: 'removed', at: Date.now() });
        return send(204, undefined, limits.headers);
      }
    }
    return error(404, 'E0000022', 'The endpoint does not support the provided HTTP method', limits.headers);
  }

  /** POST /oauth2/v1/token: client_credentials with a private_key_jwt client assertion. */
  private async token(req: IncomingMessage, send: (status: number, body?: unknown) => void): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const oauthError = (status: number, code: string, description: string) => send(status, { error: code, error_description: description });
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return oauthError(400, 'invalid_client', 'The client_assertion_type is invalid.');
    const [header, payload, signature] = (form.get('client_assertion') ?? '').split('.');
    if (!header || !payload || !signature) return oauthError(400, 'invalid_client', 'The client_assertion is not a valid JWT.');
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number; jti?: string };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return oauthError(400, 'invalid_client', 'The client_assertion is not a valid JWT.');
    }
    const app = claims.iss ? this.serviceApps.get(claims.iss) : undefined;
    if (!app || claims.sub !== claims.iss) return oauthError(401, 'invalid_client', 'The client_id is invalid.');
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), app.publicKey, Buffer.from(signature, 'base64url'))) {
      return oauthError(401, 'invalid_client', 'The client_assertion signature is invalid.');
    }
    if (claims.aud !== `${this.url}/oauth2/v1/token`) return oauthError(401, 'invalid_client', "The audience claim for client_assertion must be the endpoint invoked for the request.");
    const now = Math.floor(Date.now() / 1000);
    if (!claims.exp || claims.exp <= now || claims.exp > now + 3600) return oauthError(401, 'invalid_client', 'The client_assertion token is expired or expires too far in the future.');
    if (!claims.jti || this.usedAssertionIds.has(claims.jti)) return oauthError(401, 'invalid_client', 'The client_assertion token has already been used.');
    this.usedAssertionIds.add(claims.jti);
    const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = asked.filter((scope) => !app.scopes.includes(scope));
    if (asked.length === 0 || refused.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not allowed: ${refused.join(' ') || '(none asked)'}`);
    const accessToken = randomBytes(32).toString('base64url');
    this.accessTokens.set(accessToken, { scopes: asked, expiresAt: Date.now() + 3600_000 });
    send(200, { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope: asked.join(' ') });
  }

  /** Okta's cursor pagination: `limit`, `after`, and a `Link: <…>; rel="next"` header. */
  private page<T>(url: URL, items: T[], idOf: (item: T) => string, send: (status: number, body: unknown, headers: Record<string, string>) => void, headers: Record<string, string>): void {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 200), 200);
    const after = url.searchParams.get('after');
    const start = after ? items.findIndex((item) => idOf(item) === after) + 1 : 0;
    const slice = items.slice(start, start + limit);
    // Like Okta, the links keep the search they page through.
    const search = url.searchParams.get('search');
    const also = search === null ? '' : `&search=${encodeURIComponent(search)}`;
    const links = [`<${this.url}${url.pathname}?limit=${limit}${also}>; rel="self"`];
    if (start + limit < items.length) links.push(`<${this.url}${url.pathname}?after=${idOf(slice[slice.length - 1])}&limit=${limit}${also}>; rel="next"`);
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
