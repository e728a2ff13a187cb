import type { OktaClient, OktaUser } from '../okta/okta-client';

export type Resolution = { user: OktaUser } | { user: null; ambiguous: boolean; cause: string };

/**
 * Finds the Okta user behind a Gatehouse identity (the email Slack or the API gave us):
 *   1. a configured override (`OKTA_LOGIN_OVERRIDES`) names their Okta login outright;
 *   2. otherwise the email is tried as the login (`GET /api/v1/users/{login}`), the usual case;
 *   3. otherwise Okta is searched for a user with that primary email, for orgs whose logins
 *      are not emails. Two or more matches is a question only a person can answer: an override.
 */
export class IdentityResolver {
  constructor(
    private readonly okta: OktaClient,
    private readonly overrides: ReadonlyMap<string, string>,
  ) {}

  async resolve(email: string): Promise<Resolution> {
    const key = email.toLowerCase();
    const override = this.overrides.get(key);
    if (override) {
      const user = await this.okta.findUser(override);
      return user
        ? { user }
        : { user: null, ambiguous: false, cause: `Okta has no user with login ${override} (E0000007), the login OKTA_LOGIN_OVERRIDES gives for ${key}; correct the override` };
    }
    const byLogin = await this.okta.findUser(key);
    if (byLogin) return { user: byLogin };
    const byEmail = await this.okta.usersWithEmail(key);
    if (byEmail.length === 1) return { user: byEmail[0] };
    if (byEmail.length > 1) {
      return {
        user: null,
        ambiguous: true,
        cause: `${byEmail.length} Okta users have the email ${key} (logins ${byEmail.map((u) => u.profile.login).join(', ')}); say which is theirs in OKTA_LOGIN_OVERRIDES (${key}=<login>)`,
      };
    }
    return {
      user: null,
      ambiguous: false,
      cause: `Okta has no user with login or email ${key} (E0000007); the requester's Slack or API email must match their Okta login or email, or be mapped in OKTA_LOGIN_OVERRIDES`,
    };
  }
}

/**
 * Parses `OKTA_LOGIN_OVERRIDES`: `email=login` pairs separated by commas or new lines, e.g.
 * `ada@example.com=ada.lovelace, grace@example.com=ghopper@corp.example`. Throws a message
 * naming the bad entry.
 */
export function parseLoginOverrides(text: string | undefined): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const entry of (text ?? '').split(/[,\n]/).map((e) => e.trim()).filter(Boolean)) {
    const [email, login, ...rest] = entry.split('=').map((part) => part.trim());
    if (!email || !login || rest.length > 0 || !/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new Error(`"${entry}" is not email=login (e.g. ada@example.com=ada.lovelace)`);
    }
    if (overrides.has(email.toLowerCase())) throw new Error(`${email} is mapped twice`);
    overrides.set(email.toLowerCase(), login);
  }
  return overrides;
}
