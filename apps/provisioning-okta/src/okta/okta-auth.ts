import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { OktaError } from './okta-errors';
import { OktaHttp } from './okta-http';

/** How provisioning-okta proves itself to Okta. */
export interface OktaAuth {
  /** The Authorization header value for the next call. */
  header(): Promise<string>;
  /** Okta said 401: forget any cached credential. */
  invalidate(): void;
  readonly mode: 'ssws' | 'oauth';
}

/** An SSWS API token: simple, tied to an admin user; fine for trying Gatehouse out. */
export class SswsAuth implements OktaAuth {
  readonly mode = 'ssws' as const;
  constructor(private readonly token: string) {}
  async header(): Promise<string> {
    return `SSWS ${this.token}`;
  }
  invalidate(): void {
    // Nothing cached: a rejected API token stays rejected.
  }
}

export interface PrivateKeyJwtSettings {
  orgUrl: string;
  clientId: string;
  privateKeyPem: string;
  keyId?: string;
  scopes: string[];
  timeoutMs: number;
  http?: OktaHttp;
}

/**
 * OAuth 2.0 for an API service app: a client assertion signed with our private key
 * (`private_key_jwt`) buys a scoped access token, cached until shortly before it expires.
 * What production should use: no admin user's token, only the scopes Gatehouse needs.
 */
export class PrivateKeyJwtAuth implements OktaAuth {
  readonly mode = 'oauth' as const;
  private readonly key: KeyObject;
  private cached?: { token: string; until: number };
  private inflight?: Promise<string>;
  private readonly http: OktaHttp;

  constructor(private readonly settings: PrivateKeyJwtSettings) {
    this.key = createPrivateKey(settings.privateKeyPem);
    this.http = settings.http ?? new OktaHttp(2);
  }

  async header(): Promise<string> {
    if (this.cached && this.cached.until > Date.now()) return `Bearer ${this.cached.token}`;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return `Bearer ${await this.inflight}`;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const endpoint = `${this.settings.orgUrl}/oauth2/v1/token`;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.settings.scopes.join(' '),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: this.assertion(endpoint),
    });
    const response = await this.http.request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      timeoutMs: this.settings.timeoutMs,
    });
    const payload = parseTokenAnswer(response.text);
    if (!response.ok || !payload.access_token) {
      throw new OktaError(response.status, payload.error ?? 'token_error', `${payload.error_description ?? 'no access token'} (check OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and the app's granted scopes)`);
    }
    this.cached = { token: payload.access_token, until: Date.now() + Math.max(0, (payload.expires_in ?? 3600) - 60) * 1000 };
    return payload.access_token;
  }

  private assertion(audience: string): string {
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'RS256', typ: 'JWT', ...(this.settings.keyId ? { kid: this.settings.keyId } : {}) });
    const payload = encode({ iss: this.settings.clientId, sub: this.settings.clientId, aud: audience, iat: now, exp: now + 300, jti: randomUUID() });
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.key).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

function parseTokenAnswer(text: string): TokenAnswer {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? (body as TokenAnswer) : {};
  } catch {
    return {};
  }
}
