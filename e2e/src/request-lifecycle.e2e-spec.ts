import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OcsfAuditEvent } from '@gatehouse/contracts';
import { GatehouseSystem, runTs, waitFor } from '@gatehouse/testing';
import { Client } from 'pg';

/** A record as the API returns it: CloudEvents attributes around an OCSF event, Gatehouse's own fields in `unmapped`. */
interface AuditRecordView {
  id: string;
  type: string;
  subject: string;
  sequence: string;
  hash: string;
  previoushash: string;
  dataschema: string;
  data: OcsfAuditEvent;
}

describe('request, approve and audit through the API, five services as processes', () => {
  let system: GatehouseSystem;
  /** A chat relay acting for the people it names: a service token holding act-as. */
  let writer: string;
  /** Compliance: reads every request and the audit trail, acts for nobody. */
  let auditor: string;
  /** Personal tokens: each acts only as its owner. */
  let ada: string;
  let bob: string;
  let dba1: string;

  beforeAll(async () => {
    system = await GatehouseSystem.start('e2e');
    const person = ['requests:read', 'requests:write', 'decisions:write'];
    [writer, auditor, ada, bob, dba1] = await Promise.all([
      system.mintToken({ service: 'e2e-relay' }, [...person, 'act-as']),
      system.mintToken({ service: 'e2e-compliance' }, ['audit:read', 'requests:read-all']),
      system.mintToken({ for: 'ada@example.com' }, person),
      system.mintToken({ for: 'bob@example.com' }, person),
      system.mintToken({ for: 'dba1@example.com' }, person),
    ]);
    // Approved requests really get granted: Okta knows the requester and the group.
    system.okta.addGroup('00gprdbreadonly00001');
    system.okta.addUser('ada@example.com');
  });

  afterAll(async () => {
    await system?.stop();
  });

  const post = (body: unknown, token?: string) =>
    fetch(`${system.gatewayUrl}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const audit = (requestId: string, token = auditor) =>
    fetch(`${system.gatewayUrl}/api/v1/audit?requestId=${requestId}`, { headers: { authorization: `Bearer ${token}` } });

  const validBody = {
    requester: { email: 'ada@example.com', displayName: 'Ada Lovelace' },
    flow: 'production-database',
    target: 'read-only',
    durationSeconds: 3600,
    reason: 'INC-1234: checking a failed migration',
  };

  it('stores a PENDING request and shows its audit record through the API', async () => {
    const created = await post(validBody, writer);
    expect(created.status).toBe(201);
    const { request } = (await created.json()) as { request: { id: string; status: string } };
    expect(request.status).toBe('PENDING');
    expect(created.headers.get('location')).toBe(`/api/v1/requests/${request.id}`);
    const id = request.id;

    const records = await waitFor(
      async () => {
        const response = await audit(id);
        const body = (await response.json()) as { records: AuditRecordView[] };
        return response.status === 200 && body.records.length > 0 ? body.records : undefined;
      },
      { what: 'the audit record of the new request', timeoutMs: 20000, intervalMs: 100 },
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      type: 'access.requested',
      subject: id,
      dataschema: 'https://schema.ocsf.io/1.8.0/classes/entity_management',
      data: {
        class_uid: 3004,
        activity_name: 'Create',
        // asked by the relay's act-as token: recorded as the service on Ada's behalf
        actor: { app_name: 'e2e-relay', invoked_by: 'e2e-relay', user: { email_addr: 'ada@example.com' } },
        entity_result: { type: 'Access Request', uid: id, name: 'production-database/read-only', data: { status: 'PENDING', requester: 'ada@example.com' } },
        comment: validBody.reason,
        unmapped: {
          gatehouse: {
            type: 'access.requested',
            actor: { kind: 'service', channel: 'api', service: { name: 'e2e-relay' }, onBehalfOf: { email: 'ada@example.com' } },
            by: 'service e2e-relay on behalf of ada@example.com (api)',
            details: { flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: validBody.reason },
          },
        },
      },
    });
    expect(records[0].hash).toMatch(/^[0-9a-f]{64}$/);

    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT status, requester_email FROM approval.access_requests WHERE id = $1', [id]);
      expect(rows).toEqual([{ status: 'PENDING', requester_email: 'ada@example.com' }]);
    } finally {
      await db.end();
    }
  });

  it('answers a malformed body with 400 naming the fields, and writes nothing', async () => {
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    const count = async () => Number((await db.query('SELECT count(*) FROM approval.access_requests')).rows[0].count);
    try {
      const before = await count();
      const response = await post({ ...validBody, durationSeconds: 'a while', requester: { email: 'not-an-email' } }, writer);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { message: string };
      expect(body.message).toContain('durationSeconds');
      expect(body.message).toContain('requester.email');

      const unknownField = await post({ ...validBody, admin: true }, writer);
      expect(unknownField.status).toBe(400);
      expect(((await unknownField.json()) as { message: string }).message).toContain('admin');

      const againstFlow = await post({ ...validBody, target: 'root', reason: 'curious' }, writer);
      expect(againstFlow.status).toBe(422);
      const refusal = (await againstFlow.json()) as { problems: { field: string; message: string }[] };
      expect(refusal.problems.map((p) => p.field)).toEqual(['target', 'reason']);

      // A valid request sent afterwards is stored, so the bad ones had their chance to be too.
      const { request } = (await (await post(validBody, writer)).json()) as { request: { id: string } };
      const id = request.id;
      await waitFor(async () => (await db.query('SELECT 1 FROM approval.access_requests WHERE id = $1', [id])).rowCount === 1, {
        what: 'the valid request',
      });
      expect(await count()).toBe(before + 1);
    } finally {
      await db.end();
    }
  });

  it('refuses a missing, wrong or under-scoped token', async () => {
    const missing = await post(validBody);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { message: string }).message).toContain('Authorization: Bearer');

    const wrong = await post(validBody, `${writer.slice(0, -2)}xx`);
    expect(wrong.status).toBe(401);

    const { requester: _named, ...forTheTokenItself } = validBody;
    const underScoped = await post(forTheTokenItself, auditor);
    expect(underScoped.status).toBe(403);
    expect(((await underScoped.json()) as { message: string }).message).toContain('requests:write');

    const badQuery = await audit('not-a-uuid');
    expect(badQuery.status).toBe(400);
  });

  it('approves over the API: one winner among concurrent approvers, the trail in order', async () => {
    const { request } = (await (await post(validBody, writer)).json()) as { request: { id: string } };
    const approve = (email: string) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ approver: { email } }),
      });
    const responses = await Promise.all(['dba1@example.com', 'dba2@example.com', 'dba3@example.com', 'dba4@example.com'].map(approve));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    const late = (await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.json()))) as { code: string; message: string }[];
    expect(late.every((b) => b.code === 'already_decided' && /^already approved by dba\d@example.com at /.test(b.message))).toBe(true);

    const outsider = await approve('eve@example.com');
    // who may decide is asked first: an outsider is refused as one, and does not learn who decided
    expect(outsider.status).toBe(403);
    expect(((await outsider.json()) as { code: string }).code).toBe('not_an_approver');

    const status = async () =>
      ((await (await fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as { request: { status: string } }).request.status;
    await waitFor(async () => (await status()) === 'ACTIVE', { what: 'the approved request to become active' });

    const types = await waitFor(
      async () => {
        const body = (await (await audit(request.id)).json()) as { records: AuditRecordView[] };
        const seen = body.records.map((r) => r.type);
        return seen.includes('access.approved') && seen.filter((t) => t === 'access.refused').length === 4 ? seen : undefined;
      },
      { what: 'the approval in the audit trail' },
    );
    expect(types[0]).toBe('access.requested');
    expect(types.filter((t) => t === 'access.approved')).toHaveLength(1);
  });

  it('refuses an outsider with 403, an unknown request with 404, and lists flows and requests', async () => {
    const { request } = (await (await post(validBody, writer)).json()) as { request: { id: string } };
    const decide = (id: string, email: string) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ approver: { email } }),
      });
    const outsider = await decide(request.id, 'eve@example.com');
    expect(outsider.status).toBe(403);
    expect(((await outsider.json()) as { code: string }).code).toBe('not_an_approver');
    expect((await decide('00000000-0000-4000-8000-000000000000', 'dba1@example.com')).status).toBe(404);

    const flows = (await (await fetch(`${system.gatewayUrl}/api/v1/flows`, { headers: { authorization: `Bearer ${writer}` } })).json()) as {
      flows: { name: string }[];
    };
    expect(flows.flows.map((f) => f.name)).toEqual(['production-database', 'aws-admin', 'staging', 'group-approved', 'break-glass', 'linked-only']);

    const list = async (token: string) =>
      (await (await fetch(`${system.gatewayUrl}/api/v1/requests?status=PENDING`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        requests: { id: string; status: string; requester: { email: string } }[];
        visibility: string;
      };
    const own = await list(ada);
    expect(own.visibility).toBe('own-and-approvable');
    expect(own.requests.map((r) => r.id)).toContain(request.id);
    expect(own.requests.every((r) => r.status === 'PENDING' && r.requester.email === 'ada@example.com')).toBe(true);
    // bob asks for nothing and approves no flow: he sees nothing of ada's
    expect((await list(bob)).requests.map((r) => r.id)).not.toContain(request.id);
    // an approver of the flow sees what waits for them
    expect((await list(dba1)).requests.map((r) => r.id)).toContain(request.id);
    expect(await list(auditor)).toMatchObject({ visibility: 'all' });
  });

  it('cancels a pending request for its requester only', async () => {
    const { request } = (await (await post(validBody, writer)).json()) as { request: { id: string } };
    const cancel = (email: string) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ actor: { email } }),
      });
    expect((await cancel('dba1@example.com')).status).toBe(403);
    const ok = await cancel('ada@example.com');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { request: { status: string } }).request.status).toBe('CANCELLED');
    const again = await cancel('ada@example.com');
    expect(again.status).toBe(409);
  });

  it('lets Okta group membership decide who approves and what is approved automatically', async () => {
    const okta = system.okta;
    okta.addGroup('00gtestapprovers0001');
    okta.addGroup('00gtestoncall0000001');
    okta.addMember('00gtestapprovers0001', okta.addUser('dora@example.com').id);
    okta.addUser('bob@example.com');
    okta.addMember('00gtestoncall0000001', okta.addUser('oncall@example.com').id);
    const body = { requester: { email: 'ada@example.com' }, flow: 'group-approved', target: 'console', durationSeconds: 3600, reason: '' };

    const { request } = (await (await post(body, writer)).json()) as { request: { id: string; status: string } };
    expect(request.status).toBe('PENDING');
    const approve = (email: string) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
        body: JSON.stringify({ approver: { email } }),
      });
    const bob = await approve('bob@example.com');
    expect(bob.status).toBe(403);
    expect(((await bob.json()) as { code: string }).code).toBe('not_an_approver');
    const dora = await approve('dora@example.com');
    expect(dora.status).toBe(200);
    expect(((await dora.json()) as { result: string }).result).toBe('approved');

    const onCall = (await (await post({ ...body, requester: { email: 'oncall@example.com' } }, writer)).json()) as { request: { status: string } };
    expect(onCall.request.status).toBe('GRANTING');
  });

  it('a personal token acts only as its owner: Ada cannot approve, cancel or revoke as anyone else, and every refusal says why', async () => {
    const { requester: _named, ...fields } = validBody;
    const created = await post(fields, ada);
    expect(created.status).toBe(201);
    const { request } = (await created.json()) as { request: { id: string; requester: { email: string }; requestedBy: unknown } };
    expect(request.requester.email).toBe('ada@example.com');
    expect(request.requestedBy).toMatchObject({ kind: 'person', channel: 'api', person: { email: 'ada@example.com' } });
    const id = request.id;
    const call = (token: string, action: string, body: unknown = {}, headers: Record<string, string> = {}) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${id}${action ? `/${action}` : ''}`, {
        method: action ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: action ? JSON.stringify(body) : undefined,
      });
    const refusal = async (response: Response) => ({ status: response.status, ...((await response.json()) as { code: string; message: string }) });
    const notAda = 'belongs to ada@example.com and acts only as them, never for';

    expect(await refusal(await call(ada, 'approve', { approver: { email: 'dba1@example.com' } }))).toMatchObject({ status: 403, code: 'forbidden', message: expect.stringContaining(`${notAda} dba1@example.com`) });
    expect(await refusal(await call(ada, 'deny', { approver: { email: 'bob@example.com' }, reason: 'no' }))).toMatchObject({ status: 403, message: expect.stringContaining(`${notAda} bob@example.com`) });
    expect(await refusal(await call(ada, 'cancel', { actor: { email: 'bob@example.com' } }))).toMatchObject({ status: 403, message: expect.stringContaining(`${notAda} bob@example.com`) });
    expect(await refusal(await call(ada, 'revoke', { actor: { email: 'bob@example.com' } }))).toMatchObject({ status: 403, message: expect.stringContaining(`${notAda} bob@example.com`) });
    expect(await refusal(await call(ada, '', undefined, { 'gatehouse-on-behalf-of': 'bob@example.com' }))).toMatchObject({ status: 403, message: expect.stringContaining(`${notAda} bob@example.com`) });
    // as herself: she is no approver of the flow; bob may not read or cancel what is hers
    expect(await refusal(await call(ada, 'approve'))).toMatchObject({ status: 403, code: 'not_an_approver', message: 'ada@example.com is not an approver of flow "production-database"' });
    expect(await refusal(await call(bob, ''))).toMatchObject({ status: 403, message: expect.stringContaining('bob@example.com may read only their own requests and those they may approve') });
    expect(await refusal(await call(bob, 'cancel'))).toMatchObject({ status: 403, message: 'only the requester (ada@example.com) can cancel this request, not bob@example.com' });

    // dba1's own token approves; ada revokes her own access once it is active
    expect((await call(dba1, 'approve')).status).toBe(200);
    await waitFor(async () => ((await (await call(ada, '')).json()) as { request: { status: string } }).request.status === 'ACTIVE', { what: 'ACTIVE' });
    expect(await refusal(await call(bob, 'revoke'))).toMatchObject({ status: 403, message: expect.stringContaining('bob@example.com may not revoke this access') });
    expect((await call(ada, 'revoke')).status).toBe(200);

    const records = await waitFor(
      async () => {
        const body = (await (await audit(id)).json()) as { records: AuditRecordView[] };
        return body.records.some((r) => r.type === 'access.revoking') ? body.records : undefined;
      },
      { what: 'the revocation in the audit trail' },
    );
    const by = (type: string) => records.filter((r) => r.type === type).map((r) => r.data.unmapped.gatehouse.by);
    expect(by('access.requested')).toEqual(['ada@example.com (api)']);
    expect(by('access.approved')).toEqual(['dba1@example.com (api)']);
    expect(by('access.activated')).toEqual(['system: provisioning']);
    expect(by('access.revoking')).toEqual(['ada@example.com (api)']);
    // the refused attempts on the request are in the trail too, with who tried
    expect(records.filter((r) => r.type === 'access.refused').map((r) => [r.data.unmapped.gatehouse.by, r.data.unmapped.gatehouse.details['action']])).toEqual([
      ['ada@example.com (api)', 'request.approve'],
      ['ada@example.com (api)', 'request.deny'],
      ['ada@example.com (api)', 'request.cancel'],
      ['ada@example.com (api)', 'request.revoke'],
      ['ada@example.com (api)', 'request.approve'],
      ['bob@example.com (api)', 'request.cancel'],
      ['bob@example.com (api)', 'request.revoke'],
    ]);
  });

  it('records an act-as service as "service X on behalf of Y", and a token without an owner cannot approve at all', async () => {
    const { request } = (await (await post(validBody, writer)).json()) as { request: { id: string } };
    const approve = (token: string, body: unknown) =>
      fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });

    // A token minted before tokens had owners, exactly as the old CLI stored it: a service token now.
    const id = randomBytes(8).toString('hex');
    const legacy = `ghk_${id}_${randomBytes(32).toString('base64url')}`;
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      await db.query(`INSERT INTO gateway.api_tokens (id, name, token_hash, scopes) VALUES ($1, 'old-automation', $2, $3)`, [
        id,
        createHash('sha256').update(legacy).digest('hex'),
        ['requests:read', 'requests:write', 'decisions:write'],
      ]);
    } finally {
      await db.end();
    }
    const itself = await approve(legacy, {});
    expect(itself.status).toBe(403);
    expect(((await itself.json()) as { message: string }).message).toBe('service token "old-automation" is not a person and cannot decide; a decision needs an approver (act-as names one)');
    const named = await approve(legacy, { approver: { email: 'dba1@example.com' } });
    expect(named.status).toBe(403);
    expect(((await named.json()) as { message: string }).message).toContain('service token "old-automation" acts only as itself and cannot act for dba1@example.com: it needs the act-as scope');
    // it still does what a service may: list the flows
    expect((await fetch(`${system.gatewayUrl}/api/v1/flows`, { headers: { authorization: `Bearer ${legacy}` } })).status).toBe(200);

    expect((await approve(writer, { approver: { email: 'dba2@example.com' } })).status).toBe(200);
    const records = await waitFor(
      async () => {
        const body = (await (await audit(request.id)).json()) as { records: AuditRecordView[] };
        return body.records.some((r) => r.type === 'access.approved') ? body.records : undefined;
      },
      { what: 'the approval in the audit trail' },
    );
    const approved = records.find((r) => r.type === 'access.approved');
    expect(approved?.data.unmapped.gatehouse).toMatchObject({
      actor: { kind: 'service', channel: 'api', service: { name: 'e2e-relay' }, onBehalfOf: { email: 'dba2@example.com' } },
      by: 'service e2e-relay on behalf of dba2@example.com (api)',
    });
    expect(records.filter((r) => r.type === 'access.refused').map((r) => r.data.unmapped.gatehouse.by)).toEqual(['service old-automation (api)', 'service old-automation (api)']);
  });

  it('drives the same API from the gatehouse CLI', async () => {
    const cli = (args: string[]) => {
      const child = runTs('apps/gateway/src/cli/main.ts', args, { GATEHOUSE_URL: system.gatewayUrl, GATEHOUSE_TOKEN: writer });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
    };
    const created = await cli(['requests', 'create', '--flow', 'aws-admin', '--target', 'admin', '--duration', '1h', '--reason', 'INC-9', '--as', 'ada@example.com', '--json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { request: { id: string } }).request.id;
    const first = await cli(['requests', 'approve', id, '--as', 'cto@example.com']);
    expect(first.stdout).toMatch(new RegExp(`^recorded: ${id}  PENDING .* 1/2 approvals`));
    const second = await cli(['requests', 'approve', id, '--as', 'ciso@example.com']);
    expect(second.stdout).toMatch(/^approved: .* GRANTING/);
    const late = await cli(['requests', 'approve', id, '--as', 'sre-lead@example.com']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/gatehouse: 409: already approved by ciso@example.com at /);
    const listed = await cli(['requests', 'list', '--flow', 'aws-admin', '--as', 'ada@example.com']);
    expect(listed.stdout).toContain(id);
    const flows = await cli(['flows', 'list']);
    expect(flows.stdout).toContain('aws-admin: admin · 1h · 2 approval(s)');
  });

  it('serves the checked-in OpenAPI document, and every route in it exists behind a token', async () => {
    const served = (await (await fetch(`${system.gatewayUrl}/api/docs`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const checkedIn = JSON.parse(readFileSync(path.resolve(__dirname, '../../docs/openapi.json'), 'utf8'));
    expect(served).toEqual(checkedIn);
    for (const [route, methods] of Object.entries(served.paths)) {
      for (const method of Object.keys(methods)) {
        const url = `${system.gatewayUrl}${route.replace('{id}', '00000000-0000-4000-8000-000000000000')}`;
        const response = await fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: method === 'post' ? '{}' : undefined });
        expect([method, route, response.status]).toEqual([method, route, 401]);
      }
    }
  });

  it('runs every service with health, readiness and metrics', async () => {
    for (const service of Object.values(system.services)) {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const ready = (await (await fetch(`${service.url}/readyz`)).json()) as { status: string; checks: { name: string; status: string }[] };
      expect(ready.status).toBe('up');
      expect(ready.checks.map((c) => c.name)).toContain('kafka');
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain(`service="${service.name}"`);
    }
  });
});
