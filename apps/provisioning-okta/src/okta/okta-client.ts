import type { Logger } from '@gatehouse/observability';
import type { OktaAuth } from './okta-auth';
import { OktaError } from './okta-errors';
import { OktaHttp, type HeaderReader, type HttpAnswer } from './okta-http';
import { endpointFamily, RateLimitBudgets } from './rate-limit-budgets';

export { OktaError } from './okta-errors';

export interface OktaSettings {
  orgUrl: string;
  auth: OktaAuth;
  timeoutMs: number;
  /** Page size for list calls (Okta allows up to 200). */
  pageSize?: number;
  /** Attempts for 429, 5xx and timeouts before giving up. */
  maxAttempts?: number;
  /** Shared with the OAuth token calls, so both use the same kept-alive connections. */
  http?: OktaHttp;
}

export interface OktaUser {
  id: string;
  status: string;
  profile: { login: string; email: string };
}

interface OktaGroup {
  id: string;
}

/** A group as Okta describes it: OKTA_GROUP membership can be changed; APP_GROUP and BUILT_IN cannot. */
export interface OktaGroupInfo {
  id: string;
  type: string;
  profile: { name: string };
}

/**
 * Okta's Management API over Node's HTTP client (see OktaHttp for why not fetch or the SDK),
 * with an SSWS token or OAuth 2.0 private_key_jwt. Follows `Link: rel="next"` for every page; on 429 waits until `X-Rate-Limit-Reset` (with jitter) and tries again; retries 5xx and
 * timeouts with backoff, within a budget.
 */
export class OktaClient {
  private readonly budgets = new RateLimitBudgets();
  private readonly http: OktaHttp;

  constructor(
    private readonly settings: OktaSettings,
    private readonly logger: Logger,
  ) {
    this.http = settings.http ?? new OktaHttp();
  }


  /** The group with this id, or null if Okta has none. */
  async group(groupId: string): Promise<OktaGroupInfo | null> {
    try {
      return (await this.call<OktaGroupInfo>('GET', `/api/v1/groups/${encodeURIComponent(groupId)}`)).body;
    } catch (error) {
      if (error instanceof OktaError && error.status === 404) return null;
      throw error;
    }
  }

  /** The user with this login or id, or null if Okta has none. */
  async findUser(login: string): Promise<OktaUser | null> {
    try {
      return (await this.call<OktaUser>('GET', `/api/v1/users/${encodeURIComponent(login)}`)).body;
    } catch (error) {
      if (error instanceof OktaError && error.status === 404) return null;
      throw error;
    }
  }

  /** Every user whose primary email is this one (Okta's search; logins need not be emails). */
  async usersWithEmail(email: string): Promise<OktaUser[]> {
    const expression = `profile.email eq "${email.replace(/["\\]/g, '\\$&')}"`;
    return this.listAll<OktaUser>(`/api/v1/users?search=${encodeURIComponent(expression)}&limit=${this.settings.pageSize ?? 200}`);
  }

  /** Adds the user to the group; Okta answers 204 whether or not they were in it already. */
  async addMember(groupId: string, userId: string): Promise<void> {
    await this.call('PUT', `/api/v1/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`);
  }

  /** Removes the user from the group; already gone (404) counts as done. */
  async removeMember(groupId: string, userId: string): Promise<void> {
    try {
      await this.call('DELETE', `/api/v1/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`);
    } catch (error) {
      if (error instanceof OktaError && error.status === 404 && /GroupMembership/.test(error.message)) return;
      throw error;
    }
  }

  /** Every member of the group, across all pages. */
  async membersOf(groupId: string): Promise<OktaUser[]> {
    return this.listAll<OktaUser>(`/api/v1/groups/${encodeURIComponent(groupId)}/users?limit=${this.settings.pageSize ?? 200}`);
  }

  async memberIdsOf(groupId: string): Promise<string[]> {
    return (await this.membersOf(groupId)).map((u) => u.id);
  }

  /** Every group the user is in, across all pages. */
  async groupIdsOf(userId: string): Promise<string[]> {
    const groups = await this.listAll<OktaGroup>(`/api/v1/users/${encodeURIComponent(userId)}/groups?limit=${this.settings.pageSize ?? 200}`);
    return groups.map((g) => g.id);
  }

  private async listAll<T>(firstPath: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = `${this.settings.orgUrl}${firstPath}`;
    while (next) {
      const page: { body: T[]; headers: HeaderReader } = await this.call<T[]>('GET', next);
      items.push(...page.body);
      next = nextLink(page.headers.get('link'));
    }
    return items;
  }

  private async call<T>(method: string, pathOrUrl: string): Promise<{ body: T; headers: HeaderReader }> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.settings.orgUrl}${pathOrUrl}`;
    const family = endpointFamily(method, new URL(url).pathname);
    const maxAttempts = this.settings.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      await this.budgets.take(family);
      // Outside the try: a refused client assertion is Okta's answer, not a network blip.
      const authorization = await this.settings.auth.header();
      let response: HttpAnswer;
      try {
        response = await this.http.request(url, { method, headers: { authorization, accept: 'application/json' }, timeoutMs: this.settings.timeoutMs });
      } catch (error) {
        if (attempt >= maxAttempts) throw new OktaError(0, 'unreachable', `no answer from ${this.settings.orgUrl} (${error instanceof Error ? error.message : String(error)})`);
        await sleep(backoff(attempt));
        continue;
      }
      this.budgets.update(family, response.headers);
      if (response.status === 429) this.budgets.exhaust(family, response.headers);
      if (response.ok) return { body: (response.text ? JSON.parse(response.text) : undefined) as T, headers: response.headers };
      const body = parseErrorBody(response.text);
      const error = new OktaError(response.status, body.errorCode ?? String(response.status), body.errorSummary ?? response.statusText);
      if (response.status === 401 && this.settings.auth.mode === 'oauth' && attempt === 1) {
        this.settings.auth.invalidate(); // an access token revoked or expired early: get a new one, once
        continue;
      }
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= maxAttempts) throw error;
      const wait = response.status === 429 ? untilReset(response.headers) : backoff(attempt);
      this.logger.warn({ status: response.status, wait, attempt }, 'Okta asked us to slow down or failed; retrying');
      await sleep(wait);
    }
  }
}

function nextLink(header: string | null): string | undefined {
  return header?.split(',').map((part) => /<([^>]+)>;\s*rel="next"/.exec(part.trim())?.[1]).find(Boolean);
}

/** Milliseconds until the rate-limit window resets, plus jitter so callers do not stampede. */
/** Okta's error body (errorCode, errorSummary), or nothing when a proxy answered instead. */
function parseErrorBody(text: string): { errorCode?: string; errorSummary?: string } {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? (body as { errorCode?: string; errorSummary?: string }) : {};
  } catch {
    return {};
  }
}

function untilReset(headers: HeaderReader): number {
  const reset = Number(headers.get('x-rate-limit-reset'));
  const wait = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : 1000;
  return Math.max(0, wait) + Math.random() * 250;
}

function backoff(attempt: number): number {
  return Math.min(10_000, 200 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
