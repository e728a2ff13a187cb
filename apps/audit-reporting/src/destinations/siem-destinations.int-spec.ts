import type { INestApplication } from '@nestjs/common';
import { parseAuditDestinations } from '@gatehouse/config';
import type { Envelope } from '@gatehouse/contracts';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { FakeDatadogLogs, FakeElasticsearch, FakeSplunkHec, FakeSyslogServer, serviceTestEnv, TEST_TLS, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { Client } from 'pg';
import { accessRequested } from '../test/audited-events';
import { startAuditReporting } from '../test/start-audit-reporting';

/**
 * Splunk HEC (HTTPS, indexer acknowledgement), Elasticsearch `_bulk`, Datadog's Logs intake and
 * syslog over TLS, against fakes that answer as the real ones do, on the real broker and
 * database: every record arrives once, in chain order, through lost acks, busy answers, throttled
 * items, a record refused for good, 429s and a dropped connection — and a destination down for
 * two minutes does not hold the others back, and loses nothing.
 */
describe('audit records shipped to Splunk, Elasticsearch, Datadog and syslog', () => {
  let testEnv: ServiceTestEnv;
  let app: INestApplication;
  let connection: KafkaConnection;
  let db: Client;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const tls = { key: TEST_TLS.key(), cert: TEST_TLS.cert() };
  const splunk = new FakeSplunkHec(tls);
  const elastic = new FakeElasticsearch();
  const datadog = new FakeDatadogLogs();
  const syslog = new FakeSyslogServer(tls);
  const published: Envelope[] = [];

  const publish = async (count: number, reason = (i: number) => `INC-${published.length + i}`) => {
    const events = Array.from({ length: count }, (_, i) => accessRequested(undefined, reason(i)));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    published.push(...events);
    return events;
  };
  const cursors = async () =>
    Object.fromEntries(
      (await db.query(`SELECT name, delivered::int AS delivered, state FROM audit.destination_cursors ORDER BY name`)).rows.map((r: { name: string; delivered: number; state: string }) => [r.name, { delivered: r.delivered, state: r.state }]),
    );
  const splunkIds = () => splunk.events.map((e) => (e.event as { id: string }).id);
  const elasticIds = () => [...elastic.docs('gatehouse-audit').keys()];
  const datadogIds = () => datadog.entries.map((e) => (JSON.parse(e.message) as { metadata: { uid: string } }).metadata.uid);
  const syslogIds = () => syslog.messages.map((m) => m.structuredData['gatehouse@32473']?.['id'] as string);

  beforeAll(async () => {
    await Promise.all([splunk.start(), elastic.start(), datadog.start(), syslog.start()]);
    process.env['AUDIT_TEST_SPLUNK_TOKEN'] = splunk.token;
    process.env['AUDIT_TEST_ES_KEY'] = elastic.apiKey;
    process.env['AUDIT_TEST_DD_KEY'] = datadog.apiKey;
    const destinations = parseAuditDestinations(`destinations:
  - name: splunk
    type: splunk-hec
    url: ${splunk.url}
    tokenEnv: AUDIT_TEST_SPLUNK_TOKEN
    index: security
    ack: { enabled: true, pollMs: 100, timeoutMs: 1500 }
    batchSize: 50
    tls: { caFile: ${TEST_TLS.caFile} }
  - name: elastic
    type: elasticsearch
    url: ${elastic.url}
    auth: { apiKeyEnv: AUDIT_TEST_ES_KEY }
    batchSize: 40
  - name: datadog
    type: datadog
    url: ${datadog.url}/api/v2/logs
    apiKeyEnv: AUDIT_TEST_DD_KEY
    format: ocsf
    ddtags: env:test
  - name: syslog
    type: syslog
    host: 127.0.0.1
    port: ${syslog.port}
    protocol: tls
    tls: { caFile: ${TEST_TLS.caFile}, serverName: localhost }
    format: ocsf
`).destinations;
    splunk.allowedIndexes = ['security'];
    testEnv = await serviceTestEnv('auditsiem');
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
    db = new Client({ connectionString: testEnv.database.url });
    await db.connect();
    app = await startAuditReporting({ ...testEnv.env, AUDIT_DESTINATION_RETRY_MAX_MS: '500' }, logger, destinations);
  });
  afterAll(async () => {
    await app?.close();
    await db?.end();
    await connection?.close();
    await testEnv?.database.drop();
    await Promise.all([splunk.stop(), elastic.stop(), datadog.stop(), syslog.stop()]);
  });

  it('delivers every record to each, once and in chain order, through the failures each one really has', async () => {
    // Splunk: one batch accepted but never indexed (its ack stays false), then busy once.
    splunk.loseUnacknowledged = 1;
    splunk.failNext({ status: 503, body: { text: 'Server is busy', code: 9 } });
    // Elasticsearch: three items throttled; one document it will never take.
    elastic.throttleItems = 3;
    elastic.rejectWhen = (doc) => JSON.stringify(doc).includes('INC-POISON');
    // Datadog: rate-limited once.
    datadog.failNext({ status: 429, headers: { 'retry-after': '1' }, body: { errors: ['Too many requests'] } });
    const first = await publish(1200, (i) => (i === 77 ? 'INC-POISON' : `INC-${i}`));
    const poison = first[77]?.id as string;
    const all = first.map((e) => e.id);

    await waitFor(async () => {
      const c = await cursors();
      return c['splunk']?.delivered === 1200 && c['elastic']?.delivered === 1199 && c['datadog']?.delivered === 1200 && c['syslog']?.delivered === 1200;
    }, { what: 'every destination caught up', timeoutMs: 90000 });

    const chainOrder = (await db.query(`SELECT id FROM audit.records ORDER BY seq`)).rows.map((r: { id: string }) => r.id);
    expect(splunkIds()).toEqual(chainOrder); // the lost batch was sent again, once indexed
    expect(new Set(elasticIds())).toEqual(new Set(all.filter((id) => id !== poison)));
    expect(datadogIds()).toEqual(chainOrder);
    expect(syslogIds()).toEqual(chainOrder);

    // What each one received looks as its users expect.
    expect(splunk.events[0]).toMatchObject({ index: 'security', sourcetype: 'gatehouse:audit', source: 'gatehouse', event: { specversion: '1.0', type: 'access.requested' } });
    expect(splunk.requests.some((r) => r.status === 503)).toBe(true);
    expect(elastic.requests.filter((r) => r.path === '/_bulk').every((r) => r.headers['content-type'] === 'application/x-ndjson')).toBe(true);
    expect(Math.max(...datadog.batches)).toBeLessThanOrEqual(1000);
    expect(datadog.requests.every((r) => r.status !== 202 || r.headers['content-encoding'] === 'gzip')).toBe(true);
    expect(JSON.parse(datadog.entries[0]?.message ?? '{}')).toMatchObject({ class_uid: 3004, activity_name: 'Create' });
    expect(datadog.entries[0]).toMatchObject({ ddsource: 'gatehouse', service: 'gatehouse', ddtags: 'env:test' });
    const message = syslog.messages[0];
    expect(message).toMatchObject({ version: 1, facility: 10, severity: 6, appName: 'gatehouse', msgId: 'access.requested', bom: true });
    expect(message?.structuredData['gatehouse@32473']).toMatchObject({ type: 'access.requested', actor: 'ada@example.com (api)' });
    expect(JSON.parse(message?.message ?? '{}')).toMatchObject({ class_uid: 3004 });
    expect(syslog.problems).toEqual([]);

    const quarantined = (await db.query(`SELECT name, record_id, reason FROM audit.destination_quarantine`)).rows;
    expect(quarantined).toEqual([{ name: 'elastic', record_id: poison, reason: expect.stringContaining('mapper_parsing_exception') }]);
  });

  it('keeps shipping to the others through a two-minute outage of one, which then catches up with nothing lost', async () => {
    elastic.down = true;
    syslog.dropConnections(); // and the syslog collector restarts meanwhile
    const during: Envelope[] = [];
    const outageEnds = Date.now() + 120_000;
    let expected = 1200;
    // A wave every 15 s while Elasticsearch answers 503: each reaches the others before the next.
    while (Date.now() < outageEnds) {
      during.push(...(await publish(40)));
      expected += 40;
      await waitFor(async () => {
        const c = await cursors();
        return c['splunk']?.delivered === expected && c['datadog']?.delivered === expected && c['syslog']?.delivered === expected;
      }, { what: `the others at ${expected} while Elasticsearch is down`, timeoutMs: 30000 });
      expect((await cursors())['elastic']?.delivered).toBe(1199);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(15_000, outageEnds - Date.now()))));
    }
    const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`gatehouse_audit_destination_lag_records{destination="elastic",service="audit-reporting"} ${during.length}`);
    expect(elastic.requests.filter((r) => r.status === 503).length).toBeGreaterThan(5); // tried all along, backing off

    elastic.down = false;
    await waitFor(async () => (await cursors())['elastic']?.delivered === 1199 + during.length, { what: 'Elasticsearch caught up', timeoutMs: 60000 });
    expect(elasticIds()).toEqual(expect.arrayContaining(during.map((e) => e.id)));
    expect(elasticIds()).toHaveLength(1199 + during.length);
    for (const ids of [splunkIds(), datadogIds(), syslogIds()]) {
      expect(ids).toHaveLength(expected);
      expect(new Set(ids).size).toBe(expected);
    }
    expect(syslog.connections).toBeGreaterThan(1);
  }, 240_000);
});
