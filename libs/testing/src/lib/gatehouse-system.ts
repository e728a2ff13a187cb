import type { AuditRecord } from '@gatehouse/contracts';
import path from 'node:path';
import { Client } from 'pg';
import { expectValidOcsf } from './ocsf/ocsf-validator';
import { createTestDatabase, TEST_FLOWS_FILE, testKafkaBrokers, uniqueSuffix, type TestDatabase } from './infrastructure';
import { FakeOkta } from './fake-okta/fake-okta';
import { FakeOidcProvider } from './fake-oidc/fake-oidc-provider';
import { FakeSlack } from './fake-slack/fake-slack';
import { freePort, runTs, ServiceProcess } from './service-process';

export const SERVICE_ENTRIES = {
  gateway: 'apps/gateway/src/main.ts',
  approval: 'apps/approval/src/main.ts',
  'audit-reporting': 'apps/audit-reporting/src/main.ts',
  'provisioning-okta': 'apps/provisioning-okta/src/main.ts',
  'slack-bot': 'apps/slack-bot/src/main.ts',
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;
const CLI_ENTRY = 'apps/gateway/src/cli/main.ts';
/** Environment to add to some services' own. */
export type ServiceEnv = Partial<Record<ServiceName, NodeJS.ProcessEnv>>;

/**
 * The whole system for an end-to-end test or a benchmark: every service as its own process,
 * on the real broker (topics under a prefix of their own) and a fresh database.
 */
export class GatehouseSystem {
  private constructor(
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly database: TestDatabase,
    readonly env: NodeJS.ProcessEnv,
    /** The Okta org provisioning-okta talks to. */
    readonly okta: FakeOkta,
    /** The Slack workspace slack-bot talks to, and whose signing secret the gateway checks. */
    readonly slack: FakeSlack,
    /** Okta's OpenID Connect side, where people sign in to link their Slack account. */
    readonly oidc: FakeOidcProvider,
    /** The gateway's command line (`gatehouse …`), from the sources or the gateway's layout. */
    readonly cliEntry: string,
  ) {}

  private readonly replicas: ServiceProcess[] = [];

  /**
   * `serviceEnv` adds to (or overrides) one service's environment: `{ 'slack-bot': {
   * SLACK_APP_TOKEN } }` puts slack-bot in Socket Mode, say.
   */
  static async start(
    label = 'system',
    options: {
      serviceEnv?: (fakes: { slack: FakeSlack; okta: FakeOkta }) => ServiceEnv;
      /** Runtime layouts (scripts/runtime-layout.sh) to run services from, instead of the sources. */
      layouts?: Partial<Record<ServiceName, string>>;
      /** The flows file every service reads (default: the end-to-end tests' flows). */
      flowsFile?: string;
    } = {},
  ): Promise<GatehouseSystem> {
    const database = await createTestDatabase(label);
    const okta = await new FakeOkta().start();
    const slack = await new FakeSlack().start();
    const oidc = await new FakeOidcProvider().start();
    const ports = {} as Record<ServiceName, number>;
    for (const name of Object.keys(SERVICE_ENTRIES) as ServiceName[]) ports[name] = await freePort();
    const publicUrl = `http://127.0.0.1:${ports.gateway}`;
    oidc.redirectUris.add(`${publicUrl}/link/callback`);
    const env: NodeJS.ProcessEnv = {
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.url,
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.apiToken,
      DATABASE_URL: database.url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: `${label}${uniqueSuffix()}.`,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      LOG_LEVEL: process.env['GATEHOUSE_SERVICE_LOG_LEVEL'] ?? 'info',
      NODE_ENV: 'test',
      GATEHOUSE_FLOWS: options.flowsFile ?? TEST_FLOWS_FILE,
      GATEHOUSE_PUBLIC_URL: publicUrl,
      OKTA_OIDC_ISSUER: oidc.issuer,
      OKTA_OIDC_CLIENT_ID: oidc.clientId,
      OKTA_OIDC_CLIENT_SECRET: oidc.clientSecret,
    };
    const services = {} as Record<ServiceName, ServiceProcess>;
    const serviceEnv = options.serviceEnv?.({ slack, okta }) ?? {};
    for (const name of Object.keys(SERVICE_ENTRIES) as ServiceName[]) {
      const layout = options.layouts?.[name];
      services[name] = new ServiceProcess(name, layout ? path.join(layout, 'main.js') : SERVICE_ENTRIES[name], ports[name], { ...env, ...serviceEnv[name] });
    }
    const gatewayLayout = options.layouts?.gateway;
    const system = new GatehouseSystem(services, database, env, okta, slack, oidc, gatewayLayout ? path.join(gatewayLayout, 'cli.js') : CLI_ENTRY);
    try {
      // Schemas are migrated by each service at start-up; starting them together also
      // exercises the migration lock.
      await Promise.all(Object.values(services).map((service) => service.start()));
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  /** Starts one more process of a service (a second replica), with that service's environment. */
  async startReplica(name: ServiceName, extraEnv: NodeJS.ProcessEnv = {}, options: { waitUntil?: 'ready' | 'live' } = {}): Promise<ServiceProcess> {
    const replica = new ServiceProcess(name, this.services[name].entry, await freePort(), { ...this.services[name].environment, ...extraEnv });
    this.replicas.push(replica);
    return replica.start(options);
  }

  get gatewayUrl(): string {
    return this.services.gateway.url;
  }

  /**
   * Mints an API token through the real CLI, as an admin would: a person's (`for`, acting only
   * as them) or a service's (acting as itself; with act-as, for the person it names).
   */
  async mintToken(owner: { for: string } | { service: string }, scopes: string[]): Promise<string> {
    const who = 'for' in owner ? ['--for', owner.for] : ['--service', owner.service];
    const child = runTs(this.cliEntry, ['tokens', 'create', ...who, '--scopes', scopes.join(',')], this.env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`tokens create failed (${code}): ${stderr}`);
    return (JSON.parse(stdout.trim()) as { token: string }).token;
  }

  /**
   * Stops everything and drops the database — after checking that every audit record the run
   * produced is a valid OCSF event of the class it claims (it throws, naming them, if not).
   */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.replicas, ...Object.values(this.services)].map((service) => service.stop()));
    await this.okta.stop();
    await this.slack.stop();
    await this.oidc.stop();
    try {
      await this.checkAuditRecords();
    } finally {
      await this.database.drop();
    }
  }

  private async checkAuditRecords(): Promise<void> {
    const db = new Client({ connectionString: this.database.url });
    await db.connect();
    try {
      const exists = (await db.query(`SELECT to_regclass('audit.records') IS NOT NULL AS ok`)).rows[0]?.ok as boolean;
      if (!exists) return;
      // A page at a time: a run may have appended very many.
      for (let after = '0'; ; ) {
        const rows = (await db.query(`SELECT seq::text AS seq_text, record FROM audit.records WHERE seq > $1 ORDER BY seq LIMIT 2000`, [after])).rows as { seq_text: string; record: AuditRecord }[];
        if (rows.length === 0) break;
        expectValidOcsf(rows.map((r) => r.record));
        after = (rows[rows.length - 1] as { seq_text: string }).seq_text;
      }
    } finally {
      await db.end();
    }
  }
}
