import type { INestApplication } from '@nestjs/common';
import { loadConfig, loadFlowsFile } from '@gatehouse/config';
import { startService } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { envSchema, SCHEMA, SERVICE } from '../config';
import { IdentityLinks } from './identity-links';

const logger = createLogger({ service: 'test', level: 'silent' });
const alan = { issuer: 'https://okta.example.com', subject: '00u-alan', email: 'Alan@example.com' };
const noSlack = async () => undefined;

// The gateway's `identity.link.complete` is a command: a retry after a commit whose answer was
// lost must get the first answer again, not "used already" (the person would see a failed link
// that in fact worked, and never hear it in Slack).
describe('linking a Slack account, asked twice', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let links: IdentityLinks;
  let db: DataSource;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('links');
    const config = loadConfig(envSchema, testEnv.env);
    app = await startService({ service: SERVICE, module: AppModule.register(config, loadFlowsFile(config.flowsFile), logger), logger, port: 0 });
    links = app.get(IdentityLinks);
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    await testEnv?.database.drop();
  });

  const linkedEvents = async (slackUserId: string) =>
    Number((await db.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.outbox WHERE message_key = $1 AND envelope->>'type' = 'identity.linked'`, [slackUserId]))[0].n);

  it('answers the same sign-in the same way again, and links (and audits) once', async () => {
    const token = await links.issueToken('U0ALAN');
    const first = await links.complete(token, alan, noSlack);
    expect(first).toEqual({ ok: true, slackUserId: 'U0ALAN', email: 'alan@example.com' });
    expect(await links.complete(token, alan, noSlack)).toEqual(first);
    expect(await linkedEvents('U0ALAN')).toBe(1);
  });

  it('links once when the same completion arrives twice at the same moment', async () => {
    const token = await links.issueToken('U0GRACE');
    const grace = { ...alan, subject: '00u-grace', email: 'grace@example.com' };
    const answers = await Promise.all([links.complete(token, grace, noSlack), links.complete(token, grace, noSlack)]);
    expect(answers).toEqual([
      { ok: true, slackUserId: 'U0GRACE', email: 'grace@example.com' },
      { ok: true, slackUserId: 'U0GRACE', email: 'grace@example.com' },
    ]);
    expect(await linkedEvents('U0GRACE')).toBe(1);
  });

  it('still refuses a used link to anyone else who signs in with it', async () => {
    const token = await links.issueToken('U0ADA');
    await links.complete(token, { ...alan, subject: '00u-ada', email: 'ada@example.com' }, noSlack);
    const other = await links.complete(token, { ...alan, subject: '00u-mallory', email: 'mallory@example.com' }, noSlack);
    expect(other).toEqual({ ok: false, message: expect.stringContaining('used already') });
    expect(await links.linkOf('U0ADA')).toMatchObject({ subject: '00u-ada', email: 'ada@example.com' });
    expect(await links.begin(token)).toEqual({ ok: false, message: expect.stringContaining('used already') });
  });
});
