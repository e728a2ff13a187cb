import { postgresAdminUrl } from '@gatehouse/testing';
import { Client } from 'pg';
import { binaryTextArray } from './pg-text-array';

/** What PostgreSQL itself reads from the bytes: array_recv on the real server. */
describe('binaryTextArray on real PostgreSQL', () => {
  const db = new Client({ connectionString: postgresAdminUrl() });
  beforeAll(() => db.connect());
  afterAll(() => db.end());

  const roundTrip = async (values: readonly (string | null)[]) =>
    ((await db.query(`SELECT $1::text[] AS a, cardinality($1::text[]) AS n`, [binaryTextArray(values)])).rows[0] as { a: (string | null)[]; n: number });

  it('is read back element by element, nulls, empty strings and text beyond ASCII included', async () => {
    const values = ['{"a":"b \\"quoted\\""}', null, '', 'Zoë → ops 🔐', 'back\\slash, {braces}, "quotes"'];
    expect(await roundTrip(values)).toEqual({ a: values, n: 5 });
  });

  it('is an empty array for no values', async () => {
    expect(await roundTrip([])).toEqual({ a: [], n: 0 });
  });

  it('carries a group of records of megabytes whole, each castable to json', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ seq: i, text: 'x'.repeat(2500) }));
    const { rows } = await db.query(`SELECT count(*)::int AS n, sum(length(r))::int AS chars, bool_and((r::json->>'seq')::int >= 0) AS json FROM unnest($1::text[]) AS r`, [binaryTextArray(records)]);
    expect(rows[0]).toEqual({ n: 1000, chars: records.reduce((sum, r) => sum + r.length, 0), json: true });
  });
});
