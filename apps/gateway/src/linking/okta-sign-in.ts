import { createHash, randomBytes, type JsonWebKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { verifyIdToken, type IdTokenCheck } from './id-token';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** A sign-in about to start: where to send the browser, and the secrets to keep for its return. */
export interface SignInStart {
  url: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

export class SignInFailed extends Error {}

const random = () => randomBytes(32).toString('base64url');

/**
 * Okta sign-in by OpenID Connect: the authorization code flow with PKCE (S256), a nonce, and the
 * client secret at the token endpoint. Discovery and keys are read from the issuer and kept; a key
 * not seen yet (Okta rotates them) makes the keys be read again once.
 */
@Injectable()
export class OktaSignIn {
  private discovery?: Promise<Discovery>;
  private keys?: JsonWebKey[];

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  get redirectUri(): string {
    return `${this.config.publicUrl}/link/callback`;
  }

  async start(): Promise<SignInStart> {
    const oidc = this.settings();
    const discovery = await this.discover();
    const [state, codeVerifier, nonce] = [random(), random(), random()];
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: oidc.clientId,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: this.redirectUri,
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), state, codeVerifier, nonce };
  }

  /** Trades the code for tokens and verifies the ID token; throws SignInFailed with what went wrong. */
  async finish(code: string, codeVerifier: string, nonce: string): Promise<{ iss: string; sub: string; email: string; name?: string }> {
    const oidc = this.settings();
    const discovery = await this.discover();
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(oidc.clientId)}:${encodeURIComponent(oidc.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: codeVerifier }).toString(),
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      throw new SignInFailed(`Okta could not be reached to finish signing in (${error instanceof Error ? error.message : String(error)}); try again`);
    });
    const answer = (await response.json().catch(() => ({}))) as { id_token?: string; error?: string; error_description?: string };
    if (!response.ok || !answer.id_token) {
      if (answer.error === 'invalid_grant') throw new SignInFailed(`Okta refused this sign-in: ${answer.error_description ?? 'the code is invalid or was used already'}. Start again from Slack.`);
      if (answer.error === 'invalid_client') throw new SignInFailed('Okta refused Gatehouse\'s client credentials: an admin must check OKTA_OIDC_CLIENT_ID and OKTA_OIDC_CLIENT_SECRET.');
      throw new SignInFailed(`Okta did not finish the sign-in (${response.status} ${answer.error ?? ''} ${answer.error_description ?? ''}).`);
    }
    let check = await this.verify(answer.id_token, nonce, false);
    if (!check.ok && check.reason.includes('not among the issuer')) check = await this.verify(answer.id_token, nonce, true);
    if (!check.ok) throw new SignInFailed(`Okta's answer cannot be trusted: ${check.reason}. Start again from Slack.`);
    return check.claims;
  }

  private async verify(idToken: string, nonce: string, freshKeys: boolean): Promise<IdTokenCheck> {
    const oidc = this.settings();
    const discovery = await this.discover();
    if (freshKeys || !this.keys) {
      const response = await fetch(discovery.jwks_uri, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new SignInFailed(`Okta's signing keys could not be read (${response.status}); try again`);
      this.keys = ((await response.json()) as { keys: JsonWebKey[] }).keys;
    }
    return verifyIdToken(idToken, { issuer: discovery.issuer, clientId: oidc.clientId, nonce, keys: this.keys });
  }

  private settings(): NonNullable<GatewayConfig['oidc']> {
    const oidc = this.config.oidc;
    if (!oidc) throw new SignInFailed('Account linking is not set up: an admin must set OKTA_OIDC_ISSUER, OKTA_OIDC_CLIENT_ID and OKTA_OIDC_CLIENT_SECRET (an Okta OIDC web app) on the gateway.');
    return oidc;
  }

  private discover(): Promise<Discovery> {
    const issuer = this.settings().issuer;
    this.discovery ??= (async () => {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new SignInFailed(`Okta's OpenID configuration could not be read at ${issuer} (${response.status}): check OKTA_OIDC_ISSUER`);
      const found = (await response.json()) as Discovery;
      if (found.issuer !== issuer) throw new SignInFailed(`OKTA_OIDC_ISSUER is ${issuer} but Okta calls itself ${found.issuer}: set it to that`);
      return found;
    })().catch((error: unknown) => {
      this.discovery = undefined;
      throw error instanceof SignInFailed ? error : new SignInFailed(`Okta could not be reached at ${issuer} (${error instanceof Error ? error.message : String(error)}); try again`);
    });
    return this.discovery;
  }
}
