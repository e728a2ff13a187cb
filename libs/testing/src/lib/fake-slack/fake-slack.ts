import { SLACK_METHOD_SCOPES, slackBotScopes } from '@gatehouse/config';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BLOCK_KIT, blockKitProblem } from './block-kit-limits';
import { FakeSocketMode } from './fake-socket-mode';

export interface FakeSlackUser {
  id: string;
  name: string;
  realName: string;
  email?: string;
}

/** One Web API call as the fake received it (token already checked). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  ok: boolean;
  error?: string;
  /** What Slack answered (ts, channel…), when ok. */
  result?: Record<string, unknown>;
}

type Answer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };

/** A trigger_id lives about 3 s and can be used once, as Slack's do. */
const TRIGGER_TTL_MS = 3000;

/**
 * A fake Slack Web API for tests: a real HTTP server at `/api/<method>` answering with Slack's
 * response shapes (`{ ok: true, … }`, or `ok: false` with Slack's error codes on HTTP 200). It
 * checks the bot token (`invalid_auth`), Block Kit limits (`invalid_blocks`), single-use
 * expiring trigger ids (`expired_trigger_id`), and can answer 429 with `Retry-After`.
 */
export class FakeSlack {
  readonly botToken = `xoxb-${randomBytes(12).toString('hex')}`;
  readonly signingSecret = randomBytes(16).toString('hex');
  /** The app-level token (`connections:write`) that opens Socket Mode connections. */
  readonly appToken = `xapp-1-A0TEST-${randomBytes(12).toString('hex')}`;
  /** Slack's side of Socket Mode, on this fake's own port. */
  readonly socketMode = new FakeSocketMode(() => this.url.replace(/api\/$/, ''));
  readonly calls: SlackCall[] = [];
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly triggers = new Map<string, number>();
  private readonly rateLimited = new Map<string, { times: number; retryAfterSeconds: number; matches?: (args: Record<string, unknown>) => boolean }>();
  private readonly broken = new Map<string, { times: number; failure: { status: number } | { error: string }; matches?: (args: Record<string, unknown>) => boolean }[]>();
  private readonly messages = new Map<string, { channel: string; ts: string; text?: string; blocks?: unknown }>();
  /** Each user's App Home as last published. */
  private readonly homes = new Map<string, Record<string, unknown>>();
  /** The bot token's scopes, as Slack reports them in `x-oauth-scopes` and enforces (`missing_scope`). */
  botScopes: string[] = slackBotScopes();
  /** Channels of the workspace, and whether the app is in each. */
  private readonly channels = new Map<string, { id: string; name: string; is_private: boolean; is_member: boolean }>();
  /** Open views: id → the hash of their current version. */
  private readonly views = new Map<string, string>();
  private server?: Server;
  private seq = 0;

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeSlack is not started');
    return `http://127.0.0.1:${address.port}/api/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.socketMode.attach(this.server);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await this.socketMode.close();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addUser(user: Omit<FakeSlackUser, 'name' | 'realName'> & Partial<FakeSlackUser>): FakeSlackUser {
    const full = { name: user.id.toLowerCase(), realName: user.email ?? user.id, ...user };
    this.users.set(user.id, full);
    return full;
  }

  /** A trigger id as Slack puts in a slash command or an interaction. */
  issueTrigger(): string {
    const id = `${Date.now()}.${++this.seq}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, Date.now());
    return id;
  }

  /** The next `times` calls of `method` (those `matches` picks, if given) answer 429 with `Retry-After`. */
  rateLimit(method: string, retryAfterSeconds = 1, times = 1, matches?: (args: Record<string, unknown>) => boolean): void {
    this.rateLimited.set(method, { times, retryAfterSeconds, matches });
  }

  /**
   * The next `times` calls of `method` (those `matches` picks, if given) fail: with an HTTP
   * status (a 5xx: Slack having a bad minute) or with Slack's `ok: false` and an error code
   * (`not_in_channel`, `channel_not_found`…), as the real API answers them. Breaks of one
   * method add up: a call takes the oldest that is left and picks it.
   */
  breakNext(method: string, failure: { status: number } | { error: string }, times = 1, matches?: (args: Record<string, unknown>) => boolean): void {
    this.broken.set(method, [...(this.broken.get(method) ?? []).filter((b) => b.times > 0), { times, failure, matches }]);
  }

  /** A channel of the workspace; `isMember` says whether the app was invited to it. */
  addChannel(channel: { id: string; name: string; isPrivate?: boolean; isMember?: boolean }): void {
    this.channels.set(channel.id, { id: channel.id, name: channel.name, is_private: channel.isPrivate ?? false, is_member: channel.isMember ?? true });
  }

  /** The App Home last published for a user, or undefined. */
  homeOf(userId: string): Record<string, unknown> | undefined {
    return this.homes.get(userId);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.ok);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const raw = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => resolve(data));
    });
    const answer = this.answer(method, req, raw);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': this.botScopes.join(','), ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  private answer(method: string, req: IncomingMessage, raw: string): Answer {
    const args = parseArgs(req.headers['content-type'], raw);
    const token = (req.headers['authorization'] ?? '').replace(/^Bearer\s+/i, '') || (typeof args['token'] === 'string' ? args['token'] : '');
    const fail = (error: string, extra: Record<string, unknown> = {}): Answer => {
      this.calls.push({ method, args, ok: false, error });
      return { body: { ok: false, error, ...extra } };
    };
    const ok = (body: Record<string, unknown>): Answer => {
      this.calls.push({ method, args, ok: true, result: body });
      return { body: { ok: true, ...body } };
    };
    if (!token) return fail('not_authed');
    // Socket Mode takes the app-level token, and only it; the rest of the Web API the bot token.
    const [expected, otherKind] = method === 'apps.connections.open' ? [this.appToken, this.botToken] : [this.botToken, this.appToken];
    if (token === otherKind) return fail('not_allowed_token_type');
    if (token !== expected) return fail('invalid_auth');
    const limited = this.rateLimited.get(method);
    if (limited && limited.times > 0 && (limited.matches?.(args) ?? true)) {
      limited.times -= 1;
      this.calls.push({ method, args, ok: false, error: 'ratelimited' });
      return { status: 429, headers: { 'retry-after': String(limited.retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } };
    }
    const needed = SLACK_METHOD_SCOPES[method] ?? [];
    if (token === this.botToken && needed.length > 0 && !needed.some((scope) => this.botScopes.includes(scope))) {
      return fail('missing_scope', { needed: needed.join(','), provided: this.botScopes.join(',') });
    }
    const broken = this.broken.get(method)?.find((b) => b.times > 0 && (b.matches?.(args) ?? true));
    if (broken) {
      broken.times -= 1;
      if ('error' in broken.failure) return fail(broken.failure.error);
      this.calls.push({ method, args, ok: false, error: `http_${broken.failure.status}` });
      return { status: broken.failure.status, headers: { 'content-type': 'text/html' }, body: { error: 'upstream unavailable' } };
    }
    switch (method) {
      case 'apps.connections.open':
        return ok({ url: this.socketMode.openUrl() });
      case 'conversations.list': {
        // Public channels, with is_member; private ones only when the app is in them. Paged by cursor.
        const visible = [...this.channels.values()].filter((c) => !c.is_private || c.is_member);
        const start = Number(args['cursor'] ?? 0) || 0;
        const limit = Math.min(Number(args['limit'] ?? 100) || 100, 1000);
        const page = visible.slice(start, start + limit).map((c) => ({ ...c, is_channel: !c.is_private, is_group: c.is_private, is_archived: false }));
        return ok({ channels: page, response_metadata: { next_cursor: start + limit < visible.length ? String(start + limit) : '' } });
      }
      case 'auth.test':
        return ok({ url: 'https://gatehouse-test.slack.com/', team: 'Gatehouse Test', user: 'gatehouse', team_id: 'T0TEST', user_id: 'U0BOT', bot_id: 'B0BOT' });
      case 'users.info': {
        const user = this.users.get(String(args['user']));
        if (!user) return fail('user_not_found');
        return ok({ user: slackUser(user) });
      }
      case 'users.lookupByEmail': {
        const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === String(args['email']).toLowerCase());
        return user ? ok({ user: slackUser(user) }) : fail('users_not_found');
      }
      case 'conversations.open': {
        const users = String(args['users'] ?? '');
        if (!users || users.split(',').some((u) => !this.users.has(u))) return fail('user_not_found');
        return ok({ channel: { id: `D${users.replace(/^U/, '').split(',')[0]}` } });
      }
      case 'chat.postMessage':
      case 'chat.postEphemeral': {
        if (!args['channel']) return fail('channel_not_found');
        const blocks = parseJson(args['blocks']);
        const problem = blockKitProblem(blocks, BLOCK_KIT.messageBlocks);
        if (problem) return fail('invalid_blocks', { errors: [problem] });
        if (!args['text'] && !blocks) return fail('no_text');
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
        const channel = String(args['channel']);
        this.messages.set(`${channel}/${ts}`, { channel, ts, text: args['text'] as string | undefined, blocks });
        return method === 'chat.postMessage' ? ok({ channel, ts, message: { text: args['text'], blocks, ts } }) : ok({ message_ts: ts });
      }
      case 'chat.update': {
        const key = `${String(args['channel'])}/${String(args['ts'])}`;
        if (!this.messages.has(key)) return fail('message_not_found');
        const blocks = parseJson(args['blocks']);
        const problem = blockKitProblem(blocks, BLOCK_KIT.messageBlocks);
        if (problem) return fail('invalid_blocks', { errors: [problem] });
        this.messages.set(key, { channel: String(args['channel']), ts: String(args['ts']), text: args['text'] as string | undefined, blocks });
        return ok({ channel: args['channel'], ts: args['ts'] });
      }
      case 'views.open':
      case 'views.push': {
        const trigger = String(args['trigger_id'] ?? '');
        const issued = this.triggers.get(trigger);
        if (issued === undefined) return fail('invalid_trigger_id');
        this.triggers.delete(trigger);
        if (Date.now() - issued > TRIGGER_TTL_MS) return fail('expired_trigger_id');
        return this.view(parseJson(args['view']), ok, fail);
      }
      case 'views.update': {
        // The view is named by view_id (or external_id); a hash from an older version is refused.
        const id = String(args['view_id'] ?? args['external_id'] ?? '');
        const current = this.views.get(id);
        if (!current) return fail(id ? 'not_found' : 'invalid_arguments');
        if (args['hash'] !== undefined && args['hash'] !== current) return fail('hash_conflict');
        return this.view(parseJson(args['view']), ok, fail, id);
      }
      case 'views.publish': {
        // A Home is per user; publishing replaces it.
        const userId = String(args['user_id'] ?? '');
        if (!this.users.has(userId)) return fail('user_not_found');
        const view = parseJson(args['view']) as { type?: string; blocks?: unknown } | undefined;
        if (!view || view.type !== 'home') return fail('invalid_arguments');
        const problem = blockKitProblem(view.blocks, BLOCK_KIT.viewBlocks);
        if (problem) return fail('invalid_blocks', { errors: [problem] });
        this.homes.set(userId, view as Record<string, unknown>);
        return ok({ view: { ...view, id: `V${++this.seq}` } });
      }
      default:
        return fail('unknown_method');
    }
  }

  /** Opens or updates a view: the id stays, the hash changes with every version (as Slack's do). */
  private view(view: unknown, ok: (body: Record<string, unknown>) => Answer, fail: (error: string, extra?: Record<string, unknown>) => Answer, id = `V${++this.seq}`): Answer {
    if (typeof view !== 'object' || view === null) return fail('invalid_arguments');
    const problem = blockKitProblem((view as { blocks?: unknown }).blocks, BLOCK_KIT.viewBlocks);
    if (problem) return fail('invalid_blocks', { errors: [problem] });
    const hash = `${Date.now()}.${randomBytes(4).toString('hex')}`;
    this.views.set(id, hash);
    return ok({ view: { ...(view as Record<string, unknown>), id, hash } });
  }
}

function slackUser(user: FakeSlackUser): Record<string, unknown> {
  return { id: user.id, name: user.name, real_name: user.realName, profile: { real_name: user.realName, display_name: user.name, ...(user.email ? { email: user.email } : {}) } };
}

function parseArgs(contentType: string | undefined, raw: string): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Slack's form-encoded calls carry blocks and views as JSON strings. */
function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The value of the button `actionId` in a call's blocks (wherever Slack's JSON put it). */
export function buttonValue(call: SlackCall, actionId: string): string {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record['action_id'] === actionId && typeof record['value'] === 'string') found.push(record['value']);
      Object.values(record).forEach(visit);
    }
  };
  visit(typeof call.args['blocks'] === 'string' ? JSON.parse(call.args['blocks']) : call.args['blocks']);
  if (found.length === 0) throw new Error(`no button ${actionId} in ${String(call.args['blocks'])}`);
  return found[0] as string;
}
