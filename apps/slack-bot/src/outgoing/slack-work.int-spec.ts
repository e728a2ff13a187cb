import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, loadFlowsFile } from '@gatehouse/config';
import { createEnvelope, startService, UnitOfWork } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { serviceTestEnv, type ServiceTestEnv } from '@gatehouse/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { HomeViewers } from '../home/home-viewers';
import { envSchema, SERVICE } from '../config';
import { queueSlackWork, type SlackWork } from './slack-work';

const logger = createLogger({ service: 'test', level: 'silent' });

// Without Slack credentials nothing does the queued work, so what was queued stays to be read.
describe('queued Slack work, written by statements handed in together', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let db: DataSource;
  let uow: UnitOfWork;

  beforeAll(async () => {
    testEnv = await serviceTestEnv('slackwork');
    const config = loadConfig(envSchema, testEnv.env);
    app = await startService({ service: SERVICE, module: AppModule.register(config, loadFlowsFile(config.flowsFile), logger), logger, port: 0 });
    db = app.get(DataSource);
    uow = app.get(UnitOfWork);
    await app.get(HomeViewers).opened('U0VIEWER', 'Viewer@example.com');
  });
  afterAll(async () => {
    await app?.close();
    await testEnv?.database.drop();
  });

  it("keeps each request's work in the order queued, as its payload, and a Home refresh only for someone who opened theirs", async () => {
    const requests = Array.from({ length: 12 }, () => randomUUID());
    const works = (n: number): SlackWork[] => [
      { kind: 'report', channel: 'C0OPS', text: `first ${n}` },
      { kind: 'home', to: 'viewer@example.com' },
      { kind: 'home', to: 'stranger@example.com' },
      { kind: 'report', channel: 'C0OPS', text: `last ${n}` },
    ];
    await Promise.all(
      requests.map((requestId, n) =>
        uow.consumeInOneStatement('test', createEnvelope('access.cancelled', requestId, { requestId, actor: { kind: 'person', channel: 'api', person: { email: 'ada@example.com' } }, status: 'CANCELLED' }, { source: 'test' }), (writes) =>
          queueSlackWork(writes, requestId, works(n)),
        ),
      ),
    );
    const rows: { request_id: string; kind: string; payload: Record<string, unknown> }[] = await db.query(
      `SELECT request_id::text AS request_id, kind, payload FROM slack_bot.outgoing WHERE request_id = ANY($1::uuid[]) ORDER BY id`,
      [requests],
    );
    requests.forEach((requestId, n) => {
      expect(rows.filter((r) => r.request_id === requestId).map(({ kind, payload }) => ({ kind, payload }))).toEqual([
        { kind: 'report', payload: { channel: 'C0OPS', text: `first ${n}` } },
        { kind: 'home', payload: { to: 'viewer@example.com' } },
        { kind: 'report', payload: { channel: 'C0OPS', text: `last ${n}` } },
      ]);
    });
  });
});
