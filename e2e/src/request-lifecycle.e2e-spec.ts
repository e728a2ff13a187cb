import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GatehouseSystem, runTs, waitFor } from '@gatehouse/testing';
import { Client } from 'pg';

interface AuditRecordView {
  id: string;
  type: string;
  subject: string;
  sequence: string;
  hash: string;
  previoushash: string;
  data: { activity: string; actor: { email?: string }; status?: string; details: Record<string, unknown> };
}

describe('request, approve and audit through the API, five services as processes', () => {
  let system: GatehouseSystem;
  let writer: string;
  let auditor: string;

  beforeAll(async () => {
    system = await GatehouseSystem.start('e2e');
    writer = await system.mintToken(['requests:write', 'requests:read', 'decisions:write', 'audit:read']);
    // Approved requests really get granted: Okta knows the requester and the group.
    system.okta.addGroup('00gprdbreadonly00001');
    system.okta.addUser('ada@example.com');
    auditor = await system.mintToken(['audit:read']);
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
      data: {
        activity: 'access.requested',
        actor: { email: 'ada@example.com' },
        status: 'PENDING',
        details: { flow: 'production-database', target: 'read-only', durationSeconds: 3600, reason: validBody.reason },
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

    const underScoped = await post(validBody, auditor);
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
    expect(outsider.status).toBe(409); // decided already; an outsider on a pending request gets 403, below

    const status = async () =>
      ((await (await fetch(`${system.gatewayUrl}/api/v1/requests/${request.id}`, { headers: { authorization: `Bearer ${writer}` } })).json()) as { request: { status: string } }).request.status;
    await waitFor(async () => (await status()) === 'ACTIVE', { what: 'the approved request to become active' });

    const types = await waitFor(
      async () => {
        const body = (await (await audit(request.id)).json()) as { records: AuditRecordView[] };
        const seen = body.records.map((r) => r.type);
        return seen.includes('access.approved') && seen.filter((t) => t === 'access.decision.refused').length === 4 ? seen : undefined;
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
    expect(flows.flows.map((f) => f.name)).toEqual(['production-database', 'aws-admin', 'staging', 'group-approved']);

    const listed = (await (
      await fetch(`${system.gatewayUrl}/api/v1/requests?requester=ada@example.com&status=PENDING`, { headers: { authorization: `Bearer ${writer}` } })
    ).json()) as { requests: { id: string; status: string }[] };
    expect(listed.requests.map((r) => r.id)).toContain(request.id);
    expect(listed.requests.every((r) => r.status === 'PENDING')).toBe(true);
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

  it('drives the same API from the gatehouse CLI', async () => {
    const cli = (args: string[]) => {
      const child = runTs('apps/gateway/src/cli/main.ts', args, { GATEHOUSE_URL: system.gatewayUrl, GATEHOUSE_TOKEN: writer });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
    };
    const created = await cli(['requests', 'create', '--flow', 'aws-admin', '--target', 'admin', '--duration', '1h', '--reason', 'INC-9', '--requester', 'ada@example.com', '--json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { request: { id: string } }).request.id;
    const first = await cli(['requests', 'approve', id, '--as', 'cto@example.com']);
    expect(first.stdout).toMatch(new RegExp(`^recorded: ${id}  PENDING .* 1/2 approvals`));
    const second = await cli(['requests', 'approve', id, '--as', 'ciso@example.com']);
    expect(second.stdout).toMatch(/^approved: .* GRANTING/);
    const late = await cli(['requests', 'approve', id, '--as', 'sre-lead@example.com']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/gatehouse: 409: already approved by ciso@example.com at /);
    const listed = await cli(['requests', 'list', '--flow', 'aws-admin']);
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
