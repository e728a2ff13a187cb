import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@gatehouse/config';
import { createLogger } from '@gatehouse/observability';
import { FakeOkta } from '@gatehouse/testing';
import { envSchema } from '../config';
import { PrivateKeyJwtAuth } from './okta-auth';
import { OktaClient, OktaError } from './okta-client';

const logger = createLogger({ service: 'test', level: 'silent' });
const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

describe('OAuth 2.0 service app (private_key_jwt) against the fake Okta', () => {
  let okta: FakeOkta;
  const keys = pem();
  const SCOPES = ['okta.groups.manage', 'okta.users.read'];

  beforeEach(async () => {
    okta = await new FakeOkta().start();
    okta.registerServiceApp('0oagatehouse00000001', keys.publicKeyPem, SCOPES);
  });
  afterEach(async () => {
    await okta.stop();
  });

  const client = (overrides: Partial<ConstructorParameters<typeof PrivateKeyJwtAuth>[0]> = {}) =>
    new OktaClient(
      {
        orgUrl: okta.url,
        timeoutMs: 2000,
        auth: new PrivateKeyJwtAuth({ orgUrl: okta.url, clientId: '0oagatehouse00000001', privateKeyPem: keys.privateKeyPem, scopes: SCOPES, timeoutMs: 2000, ...overrides }),
      },
      logger,
    );

  it('gets a scoped access token once and uses it for every call', async () => {
    const ada = okta.addUser('ada@example.com');
    okta.addGroup('00gprdbreadonly00001');
    const c = client();
    expect(await c.findUser('ada@example.com')).toMatchObject({ id: ada.id });
    await c.addMember('00gprdbreadonly00001', ada.id);
    expect(okta.isMember('00gprdbreadonly00001', 'ada@example.com')).toBe(true);
    expect(okta.log.filter((l) => l.path === '/oauth2/v1/token')).toHaveLength(1);
  });

  it('reports a client assertion signed with the wrong key, saying what to check', async () => {
    okta.addUser('ada@example.com');
    await expect(client({ privateKeyPem: pem().privateKeyPem }).findUser('ada@example.com')).rejects.toThrow(
      new OktaError(401, 'invalid_client', 'The client_assertion signature is invalid. (check OKTA_CLIENT_ID, OKTA_PRIVATE_KEY and the app\'s granted scopes)'),
    );
  });

  it('cannot change memberships with a token that lacks okta.groups.manage', async () => {
    const ada = okta.addUser('ada@example.com');
    okta.addGroup('00gprdbreadonly00001');
    const readOnly = client({ scopes: ['okta.users.read'] });
    await expect(readOnly.addMember('00gprdbreadonly00001', ada.id)).rejects.toMatchObject({ status: 403, code: 'E0000006' });
  });
});

describe('Okta credentials in the environment', () => {
  const base = { OKTA_ORG_URL: 'https://example.okta.com' };

  it('accepts an OAuth service app, turning escaped newlines in the key back into a PEM', () => {
    const key = pem().privateKeyPem.replace(/\n/g, '\\n');
    const env = { ...base, OKTA_CLIENT_ID: '0oagatehouse00000001', OKTA_PRIVATE_KEY: key };
    const config = loadConfig(envSchema, env);
    expect(config.okta?.credentials).toMatchObject({ mode: 'oauth', clientId: '0oagatehouse00000001', scopes: ['okta.groups.manage', 'okta.users.read'] });
    expect((config.okta?.credentials as { privateKeyPem: string }).privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----\n');
  });

  it('names the missing half of the OAuth pair, and refuses both modes at once', () => {
    expect(() => loadConfig(envSchema, { ...base, OKTA_CLIENT_ID: '0oagatehouse00000001' })).toThrow(/OKTA_PRIVATE_KEY: OAuth mode needs both/);
    expect(() => loadConfig(envSchema, { ...base, OKTA_API_TOKEN: '00abcdefghijkl', OKTA_CLIENT_ID: '0oagatehouse00000001', OKTA_PRIVATE_KEY: pem().privateKeyPem })).toThrow(
      /OKTA_API_TOKEN: set either/,
    );
  });
});
