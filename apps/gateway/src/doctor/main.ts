import 'reflect-metadata';
import { doctorMain, fail, pass, warn, type Finding } from '@gatehouse/config';
import { checkKafka } from '@gatehouse/messaging';
import { checkDatabase } from '@gatehouse/persistence';
import { gatewayEnvSchema, SCHEMA, SERVICE, type GatewayConfig } from '../config';
import { migrations } from '../database';

/** Account linking: Okta's OpenID configuration answers at the issuer, naming itself the same. */
async function checkOidc(config: GatewayConfig): Promise<Finding> {
  const oidc = config.oidc;
  if (!oidc) return warn('off: people cannot link their Slack account to Okta', 'set OKTA_OIDC_ISSUER, OKTA_OIDC_CLIENT_ID and OKTA_OIDC_CLIENT_SECRET (README, "Link Slack and Okta accounts") if you want it');
  const response = await fetch(`${oidc.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => error as Error);
  if (response instanceof Error) return fail(`Okta not reachable at ${oidc.issuer} (${response.message})`, 'check OKTA_OIDC_ISSUER');
  if (!response.ok) return fail(`no OpenID configuration at ${oidc.issuer} (${response.status})`, 'set OKTA_OIDC_ISSUER to your org (https://acme.okta.com) or an authorization server issuer');
  const issuer = ((await response.json()) as { issuer?: string }).issuer;
  if (issuer !== oidc.issuer) return fail(`Okta calls itself ${issuer}, not ${oidc.issuer}`, `set OKTA_OIDC_ISSUER=${issuer}`);
  return pass(`Okta OpenID configuration found at ${issuer}; sign-ins come back to ${config.publicUrl}/link/callback (register it in the Okta app)`);
}

/** `gatehouse doctor` for the gateway: broker, database, Slack's door and account linking. */
void doctorMain(SERVICE, gatewayEnvSchema, (config) => [
  { name: 'kafka', run: () => checkKafka(config.kafka.brokers, config.kafka.topicPrefix, config.kafka.security) },
  { name: 'database', run: () => checkDatabase(config.database.url, SCHEMA, migrations) },
  {
    name: 'slack door',
    run: async () =>
      config.slack.signingSecret
        ? pass('SLACK_SIGNING_SECRET set: /slack/events checks Slack signatures')
        : warn('SLACK_SIGNING_SECRET not set: /slack/events answers 503', "set it to the Slack app's signing secret (not needed in Socket Mode)"),
  },
  { name: 'account linking', run: () => checkOidc(config) },
]);
