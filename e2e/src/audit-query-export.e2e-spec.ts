import type { AuditRecord } from '@gatehouse/contracts';
import { readFileSync } from 'node:fs';
import { GatehouseSystem, waitFor } from '@gatehouse/testing';
import { Client } from 'pg';

/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

/**
 * Compliance reading the trail through the gateway: filtered by requester, approver, flow,
 * target, type and time, paged with a cursor, and exported as JSON lines and CSV streamed from
 * audit-reporting page by page.
 */
describe('audit query and export through the gateway', () => {
  let system: GatehouseSystem;
  let auditor: string;
  let ada: string;
  let bob: string;
  let dba1: string;
  const ids: Record<'adaRead' | 'bobWrite' | 'adaStaging', string> = { adaRead: '', bobWrite: '', adaStaging: '' };
  const startedAt = new Date(Date.now() - 1000).toISOString();

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${system.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const ask = async (token: string, flow: string, target: string) =>
    ((await api(token, 'POST', '/api/v1/requests', { flow, target, durationSeconds: 3600, reason: 'INC-77, "urgent", see runbook' })).body['request'] as { id: string }).id;
  const query = async (params: string, token = auditor) => {
    const { status, body } = await api(token, 'GET', `/api/v1/audit?${params}`);
    return { status, records: (body['records'] ?? []) as AuditRecord[], nextCursor: body['nextCursor'] as string | undefined, body };
  };
  const subjects = (records: AuditRecord[]) => [...new Set(records.map((r) => r.subject))].sort();

  beforeAll(async () => {
    system = await GatehouseSystem.start('auditx');
    const person = ['requests:read', 'requests:write', 'decisions:write'];
    [auditor, ada, bob, dba1] = await Promise.all([
      system.mintToken({ for: 'compliance@example.com' }, ['audit:read', 'requests:read-all']),
      system.mintToken({ for: 'ada@example.com' }, person),
      system.mintToken({ for: 'bob@example.com' }, person),
      system.mintToken({ for: 'dba1@example.com' }, person),
    ]);
    system.okta.addGroup('00gprdbreadonly00001');
    system.okta.addGroup('00gstagingdeploy0001');
    system.okta.addUser('ada@example.com');
    ids.adaRead = await ask(ada, 'production-database', 'read-only');
    ids.bobWrite = await ask(bob, 'production-database', 'read-write');
    ids.adaStaging = await ask(ada, 'staging', 'deploy');
    expect((await api(dba1, 'POST', `/api/v1/requests/${ids.adaRead}/approve`, {})).status).toBe(200);
    expect((await api(dba1, 'POST', `/api/v1/requests/${ids.bobWrite}/deny`, { reason: 'not during the freeze' })).status).toBe(200);
    await waitFor(
      async () => {
        const types = (await query('limit=1000')).records.map((r) => `${r.subject}:${r.type}`);
        return types.includes(`${ids.adaRead}:access.activated`) && types.includes(`${ids.adaStaging}:access.activated`) && types.includes(`${ids.bobWrite}:access.denied`);
      },
      { what: 'the three requests settled in the audit trail', timeoutMs: 30000 },
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('filters by requester, approver, flow, target, type and time', async () => {
    expect(subjects((await query('requester=ada@example.com&limit=1000')).records)).toEqual([ids.adaRead, ids.adaStaging].sort());
    expect(subjects((await query('approver=dba1@example.com&limit=1000')).records)).toEqual([ids.adaRead, ids.bobWrite].sort());
    expect(subjects((await query('flow=staging&limit=1000')).records)).toEqual([ids.adaStaging]);
    expect(subjects((await query('target=read-write&limit=1000')).records)).toEqual([ids.bobWrite]);
    const decisions = (await query('type=access.approved,access.denied&limit=1000')).records;
    expect(decisions.map((r) => `${r.subject}:${r.type}`).sort()).toEqual([`${ids.adaRead}:access.approved`, `${ids.adaStaging}:access.approved`, `${ids.bobWrite}:access.denied`].sort());
    expect((await query(`from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).records).toEqual([]);
    expect((await query(`to=${encodeURIComponent(startedAt)}`)).records).toEqual([]);
    const all = (await query('limit=1000')).records;
    expect((await query(`from=${encodeURIComponent(startedAt)}&limit=1000`)).records).toEqual(all);
  });

  it('pages through the trail with a cursor: every record once, in chain order', async () => {
    const all = (await query('limit=1000')).records;
    const paged: AuditRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await query(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.records);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(pages).toBeGreaterThan(2);
    expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(paged.map((r) => Number(r.sequence))).toEqual([...paged.map((r) => Number(r.sequence))].sort((a, b) => a - b));
  });

  it('exports JSON lines and CSV as a streamed download', async () => {
    const expected = (await query('requester=ada@example.com&limit=1000')).records;
    const jsonl = await fetch(`${system.gatewayUrl}/api/v1/audit/export?requester=ada@example.com&format=jsonl`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    expect(jsonl.headers.get('content-disposition')).toMatch(/^attachment; filename="gatehouse-audit-.*\.jsonl"$/);
    const lines = (await jsonl.text()).trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.map((r) => r.id)).toEqual(expected.map((r) => r.id));

    const csv = await fetch(`${system.gatewayUrl}/api/v1/audit/export?approver=dba1@example.com&format=csv`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header).toEqual(['sequence', 'id', 'time', 'type', 'request', 'flow', 'target', 'requester', 'actor', 'status_before', 'status_after', 'ocsf_class', 'ocsf_activity', 'outcome', 'message', 'hash']);
    const col = (row: string[], name: string) => row[(header as string[]).indexOf(name)];
    const denied = rows.find((row) => col(row, 'type') === 'access.denied');
    expect(denied && [col(denied, 'request'), col(denied, 'requester'), col(denied, 'flow'), col(denied, 'target'), col(denied, 'actor'), col(denied, 'status_before'), col(denied, 'status_after')]).toEqual([
      ids.bobWrite,
      'bob@example.com',
      'production-database',
      'read-write',
      'dba1@example.com (api)',
      'PENDING',
      'DENIED',
    ]);
    expect(new Set(rows.map((row) => col(row, 'request')))).toEqual(new Set([ids.adaRead, ids.bobWrite]));
    expect(rows.every((row) => row.length === header?.length)).toBe(true);
  });

  it('refuses who may not read the trail, and says what is wrong with a query', async () => {
    const refused = await query('requester=ada@example.com', ada);
    expect(refused.status).toBe(403);
    const exported = await fetch(`${system.gatewayUrl}/api/v1/audit/export`, { headers: { authorization: `Bearer ${ada}` } });
    expect(exported.status).toBe(403);
    const bad = await query('from=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('from');
    const format = await fetch(`${system.gatewayUrl}/api/v1/audit/export?format=xml`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(format.status).toBe(400);
  });

  it('reports who held which access in a range: when, approved by whom, for how long, as JSON and CSV', async () => {
    expect((await api(ada, 'POST', `/api/v1/requests/${ids.adaRead}/revoke`, {})).status).toBe(200);
    await waitFor(async () => (await query(`requestId=${ids.adaRead}&type=access.ended`)).records.length === 1, { what: 'the revocation ended', timeoutMs: 20000 });
    const range = `from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;
    const json = await fetch(`${system.gatewayUrl}/api/v1/audit/access-review?${range}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(json.status).toBe(200);
    const review = (await json.json()) as { rows: Record<string, unknown>[] };
    const byRequest = Object.fromEntries(review.rows.map((r) => [r['requestId'] as string, r]));
    expect(Object.keys(byRequest).sort()).toEqual([ids.adaRead, ids.adaStaging].sort()); // bob's denied request was never held
    expect(byRequest[ids.adaRead]).toMatchObject({
      requester: 'ada@example.com',
      flow: 'production-database',
      target: 'read-only',
      oktaGroupId: '00gprdbreadonly00001',
      reason: 'INC-77, "urgent", see runbook',
      approvedBy: [{ by: 'dba1@example.com (api)', at: expect.any(String) }],
      ended: 'REVOKED',
      endedBy: 'ada@example.com (api)',
      heldSeconds: expect.any(Number),
    });
    expect(byRequest[ids.adaStaging]).toMatchObject({ flow: 'staging', approvedBy: [], autoApproved: expect.any(String) });
    expect(byRequest[ids.adaStaging]?.['endedAt']).toBeUndefined(); // still held

    // A range that ended before any grant: nobody held anything.
    const before = await fetch(`${system.gatewayUrl}/api/v1/audit/access-review?from=2020-01-01T00:00:00Z&to=${encodeURIComponent(startedAt)}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(((await before.json()) as { rows: unknown[] }).rows).toEqual([]);

    const csv = await fetch(`${system.gatewayUrl}/api/v1/audit/access-review?${range}&flow=production-database&format=csv`, { headers: { authorization: `Bearer ${auditor}` } });
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header?.slice(0, 4)).toEqual(['request', 'requester', 'flow', 'target']);
    expect(rows).toHaveLength(1);
    const col = (name: string) => rows[0]?.[(header as string[]).indexOf(name)];
    expect([col('request'), col('reason'), col('ended'), col('ended_by')]).toEqual([ids.adaRead, 'INC-77, "urgent", see runbook', 'REVOKED', 'ada@example.com (api)']);
    expect(col('approved_by')).toMatch(/^dba1@example.com \(api\) at \d{4}-/);

    expect((await fetch(`${system.gatewayUrl}/api/v1/audit/access-review?${range}`, { headers: { authorization: `Bearer ${ada}` } })).status).toBe(403);
    expect((await fetch(`${system.gatewayUrl}/api/v1/audit/access-review?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`, { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(400);
  });

  it('streams a CSV export of 100,000 records in bounded memory', async () => {
    // 100,000 records appended straight into the trail (valid OCSF: a real record, re-numbered).
    const db = new Client({ connectionString: system.database.url });
    await db.connect();
    try {
      const [template] = (await db.query(`SELECT record FROM audit.records WHERE type = 'access.requested' ORDER BY seq LIMIT 1`)).rows as { record: AuditRecord }[];
      const { seq } = (await db.query(`SELECT seq::text AS seq FROM audit.chain_head`)).rows[0] as { seq: string };
      await db.query('BEGIN');
      await db.query(
        `WITH made AS (
           SELECT $1::bigint + n AS seq, gen_random_uuid() AS id, md5(n::text) || md5((n + 1)::text) AS hash FROM generate_series(1, 100000) AS n
         )
         INSERT INTO audit.records (seq, id, type, subject, correlation_id, event_time, recorded_at, record, hash, previous_hash)
         SELECT seq, id, 'access.requested', gen_random_uuid()::text, gen_random_uuid(), now(), now(),
                jsonb_set(jsonb_set(jsonb_set($2::jsonb, '{id}', to_jsonb(id::text)), '{sequence}', to_jsonb(seq::text)), '{hash}', to_jsonb(hash)), hash, hash
           FROM made`,
        [seq, JSON.stringify(template?.record)],
      );
      await db.query(`UPDATE audit.chain_head SET seq = seq + 100000`);
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    const pid = system.services.gateway.pid as number;
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    let rows = 0;
    let bytes = 0;
    try {
      const response = await fetch(`${system.gatewayUrl}/api/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        rows += (decoder.decode(value, { stream: true }).match(/\r\n/g) ?? []).length;
      }
    } finally {
      clearInterval(sampler);
    }
    expect(rows).toBeGreaterThan(100_000); // the header, the requests above, and the 100,000
    // The whole result held at once would be hundreds of megabytes; a page at a time stays small.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
    expect(bytes).toBeGreaterThan(20 * 1024 * 1024);
  }, 300_000);
});
