import { OktaError } from '../okta/okta-client';

/** A cause a person can act on, for grant_failed / revoke_failed. */
export function describeFailure(error: unknown, action: string): string {
  if (error instanceof OktaError) {
    if (error.status === 401 || error.status === 403) return `Okta refused Gatehouse's credentials while trying to ${action} (${error.message}); check OKTA_API_TOKEN and its permissions`;
    if (error.status === 429) return `Okta kept rate-limiting Gatehouse while trying to ${action}; it will be tried again`;
    if (error.status === 0) return `Okta could not be reached while trying to ${action} (${error.message})`;
    return `Okta could not ${action}: ${error.message}`;
  }
  return `could not ${action}: ${error instanceof Error ? error.message : String(error)}`;
}
