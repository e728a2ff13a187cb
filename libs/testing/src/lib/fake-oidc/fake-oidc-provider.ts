import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Someone who can sign in at the fake provider. */
export interface OidcUser {
  /** Okta's user id, the ID token's `sub` (00u…). */
  sub: string;
  login: string;
  email: string;
  name: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  user: OidcUser;
  nonce?: string;
  challenge?: string;
  method?: string;
  expiresAt: number;
}

/**
 * A fake Okta OpenID Connect provider (the org authorization server): a real HTTP server with
 * Okta's paths and answers — discovery, `/oauth2/v1/authorize` with a sign-in page a browser
 * can fill in, `/oauth2/v1/token` (client_secret_basic or _post, PKCE S256, single-use codes
 * that expire, Okta's `invalid_grant`/`invalid_client` errors), and `/oauth2/v1/keys` (JWKS)
 * with RS256-signed ID tokens.
 */
export class FakeOidcProvider {
  readonly clientId = `0oa${randomBytes(8).toString('hex')}`;
  readonly clientSecret = randomBytes(24).toString('base64url');
  private readonly keyId = randomBytes(6).toString('hex');
  private readonly keys: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly users = new Map<string, OidcUser>();
  private readonly codes = new Map<string, PendingCode>();
  /** Redirect URIs registered for the client (Okta refuses any other). */
  readonly redirectUris = new Set<string>();
  /** How long ID tokens live; negative issues tokens already expired. */
  idTokenTtlSeconds = 3600;
  /** Codes redeemed, and what the token endpoint refused (for assertions). */
  readonly tokenErrors: string[] = [];
  private server?: Server;

  get issuer(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeOidcProvider is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  addUser(user: OidcUser): this {
    this.users.set(user.login.toLowerCase(), user);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => this.json(res, 500, { errorCode: 'E0000009', errorSummary: String(error) })));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') return this.json(res, 200, this.discovery());
    if (req.method === 'GET' && url.pathname === '/oauth2/v1/keys') return this.json(res, 200, { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: this.keyId, alg: 'RS256', use: 'sig' }] });
    if (req.method === 'GET' && url.pathname === '/oauth2/v1/authorize') return this.authorizePage(url, res);
    if (req.method === 'POST' && url.pathname === '/oauth2/v1/authorize') return this.signIn(new URLSearchParams(await body(req)), res);
    if (req.method === 'POST' && url.pathname === '/oauth2/v1/token') return this.token(req, new URLSearchParams(await body(req)), res);
    this.json(res, 404, { errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method' });
  }

  private discovery(): Record<string, unknown> {
    const base = this.issuer;
    return {
      issuer: base,
      authorization_endpoint: `${base}/oauth2/v1/authorize`,
      token_endpoint: `${base}/oauth2/v1/token`,
      jwks_uri: `${base}/oauth2/v1/keys`,
      userinfo_endpoint: `${base}/oauth2/v1/userinfo`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    };
  }

  /** What Okta checks before showing its sign-in page; its errors are pages, as Okta's are. */
  private authorizeProblem(params: URLSearchParams): string | undefined {
    if (params.get('client_id') !== this.clientId) return 'invalid_client: The client_id is not valid.';
    if (!this.redirectUris.has(params.get('redirect_uri') ?? '')) return "invalid_request: The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.";
    if (params.get('response_type') !== 'code') return 'unsupported_response_type: The response type is not supported by the authorization server.';
    if (!(params.get('scope') ?? '').split(' ').includes('openid')) return "invalid_scope: The authentication request has an invalid 'scope' parameter.";
    if (params.get('code_challenge') && params.get('code_challenge_method') !== 'S256') return "invalid_request: The 'code_challenge_method' parameter must be 'S256'.";
    return undefined;
  }

  private authorizePage(url: URL, res: ServerResponse): void {
    const problem = this.authorizeProblem(url.searchParams);
    if (problem) return this.page(res, 400, `<h1>Error</h1><p id="error">${escape(problem)}</p>`);
    const hidden = [...url.searchParams].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
    this.page(
      res,
      200,
      `<h1>Sign In</h1><form method="post" action="/oauth2/v1/authorize">${hidden}<label>Username <input name="username" id="okta-signin-username"></label><button type="submit" id="okta-signin-submit">Sign In</button></form>`,
    );
  }

  private signIn(params: URLSearchParams, res: ServerResponse): void {
    const problem = this.authorizeProblem(params);
    if (problem) return this.page(res, 400, `<h1>Error</h1><p id="error">${escape(problem)}</p>`);
    const user = this.users.get((params.get('username') ?? '').toLowerCase());
    if (!user) return this.page(res, 401, `<h1>Sign In</h1><p id="error">Unable to sign in</p>`);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri: params.get('redirect_uri') ?? '',
      user,
      nonce: params.get('nonce') ?? undefined,
      challenge: params.get('code_challenge') ?? undefined,
      method: params.get('code_challenge_method') ?? undefined,
      expiresAt: Date.now() + 60_000,
    });
    const back = new URL(params.get('redirect_uri') ?? '');
    back.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private token(req: IncomingMessage, params: URLSearchParams, res: ServerResponse): void {
    const refuse = (status: number, error: string, description: string) => {
      this.tokenErrors.push(error);
      this.json(res, status, { error, error_description: description });
    };
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : [params.get('client_id'), params.get('client_secret')];
    if (id !== this.clientId || secret !== this.clientSecret) return refuse(401, 'invalid_client', 'Client authentication failed.');
    if (params.get('grant_type') !== 'authorization_code') return refuse(400, 'unsupported_grant_type', "The 'grant_type' parameter is not supported.");
    const code = params.get('code') ?? '';
    const pending = this.codes.get(code);
    // A code is good once: a second use is refused like an unknown one.
    this.codes.delete(code);
    if (!pending || pending.expiresAt < Date.now()) return refuse(400, 'invalid_grant', 'The authorization code is invalid or has expired.');
    if (params.get('redirect_uri') !== pending.redirectUri) return refuse(400, 'invalid_grant', "The 'redirect_uri' does not match the redirection URI used in the authorization request.");
    if (pending.challenge) {
      const verifier = params.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return refuse(400, 'invalid_grant', 'PKCE verification failed.');
    } else if (params.get('code_verifier')) return refuse(400, 'invalid_request', "The 'code_verifier' parameter was provided but no code_challenge was present in the authorization request.");
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.issuer,
      aud: this.clientId,
      sub: pending.user.sub,
      email: pending.user.email,
      email_verified: true,
      name: pending.user.name,
      preferred_username: pending.user.login,
      iat: now - (this.idTokenTtlSeconds < 0 ? 7200 : 0),
      exp: now + this.idTokenTtlSeconds,
      auth_time: now,
      amr: ['pwd'],
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
    };
    this.json(res, 200, { token_type: 'Bearer', expires_in: 3600, access_token: randomBytes(32).toString('base64url'), scope: 'openid email profile', id_token: this.signJwt(claims) });
  }

  /** An RS256 JWT signed with this provider's key (tests may sign their own claims with it). */
  signJwt(claims: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: this.keyId, typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.keys.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
  }

  private page(res: ServerResponse, status: number, html: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><title>Okta</title></head><body>${html}</body></html>`);
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
