import type { Logger } from '@gatehouse/observability';
import type { ServiceConfig } from '../config';
import { PrivateKeyJwtAuth, SswsAuth, type OktaAuth } from './okta-auth';
import { OktaClient } from './okta-client';
import { OktaHttp } from './okta-http';

/** The Okta client for the configured credentials: an SSWS token, or OAuth private_key_jwt. */
export function oktaClient(okta: NonNullable<ServiceConfig['okta']>, logger: Logger): OktaClient {
  const { credentials } = okta;
  const http = new OktaHttp();
  const auth: OktaAuth =
    credentials.mode === 'oauth'
      ? new PrivateKeyJwtAuth({ orgUrl: okta.orgUrl, timeoutMs: okta.timeoutMs, http, ...credentials })
      : new SswsAuth(credentials.apiToken);
  return new OktaClient({ ...okta, auth, http }, logger.child({ component: 'okta' }));
}
