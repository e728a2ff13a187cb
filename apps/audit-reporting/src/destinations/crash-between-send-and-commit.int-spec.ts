import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KafkaConnection, KafkaPublisher, outgoing } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import { freePort, serviceTestEnv, ServiceProcess, waitFor, type ServiceTestEnv } from '@gatehouse/testing';
import { accessRequested } from '../test/audited-events';

/**
 * audit-reporting as its own process, SIGKILLed while a batch is at the destination and its
 * cursor not yet committed: after a restart every record arrives — the batch in flight again
 * (a duplicate is allowed), and no id missing (never allowed).
 */
describe('audit-reporting killed between a send and its cursor commit', () => {
  let testEnv: ServiceTestEnv;
  let service: ServiceProcess;
  let connection: KafkaConnection;
  const logger = createLogger({ service: 'test', level: 'silent' });
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-crash-'));
  /** Ids the receiver answered 200 for, in order of arrival (with any duplicates). */
  const delivered: string[] = [];
  let held: { ids: string[]; res: ServerResponse } | undefined;
  let holdNext = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ids = Buffer.concat(chunks).toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
      if (holdNext) {
        // The batch has reached us; the sender waits for our answer, its cursor uncommitted.
        holdNext = false;
        held = { ids, res };
        return;
      }
      delivered.push(...ids);
      res.writeHead(200).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const file = path.join(dir, 'destinations.yaml');
    writeFileSync(file, `destinations:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:${(server.address() as AddressInfo).port}/audit\n    batchSize: 20\n`);
    testEnv = await serviceTestEnv('auditcrash');
    service = new ServiceProcess('audit-reporting', 'apps/audit-reporting/src/main.ts', await freePort(), { ...testEnv.env, GATEHOUSE_AUDIT_DESTINATIONS: file, AUDIT_DESTINATION_RETRY_MAX_MS: '500' });
    await service.start();
    connection = new KafkaConnection({ clientId: 'test', brokers: testEnv.brokers, logger, topicPrefix: testEnv.topicPrefix });
  });
  afterAll(async () => {
    await service?.stop();
    await connection?.close();
    await testEnv?.database.drop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every record after the restart, none missing', async () => {
    const events = Array.from({ length: 100 }, (_, i) => accessRequested(undefined, `INC-${i}`));
    await new KafkaPublisher(connection).publish(events.map((e) => outgoing(e)));
    const inFlight = await waitFor(() => held, { what: 'a batch held at the destination', timeoutMs: 30000 });
    await service.kill(); // SIGKILL: no shutdown hook, the cursor never moved
    inFlight.res.destroy();
    await service.start();
    await waitFor(() => events.every((e) => delivered.includes(e.id)), { what: 'all 100 records delivered after the restart', timeoutMs: 60000 });
    const missing = events.filter((e) => !delivered.includes(e.id));
    expect(missing).toEqual([]);
    // The batch that was in flight when the process died was sent again.
    expect(inFlight.ids.length).toBeGreaterThan(0);
    for (const id of inFlight.ids) expect(delivered).toContain(id);
  });
});
