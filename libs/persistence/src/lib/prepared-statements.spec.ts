import { MOST_PREPARED, preparable, PreparedStatements, RUNS_BEFORE_PREPARING } from './prepared-statements';

describe('PreparedStatements', () => {
  const runs = (statements: PreparedStatements, text: string, times: number) => Array.from({ length: times }, () => statements.nameOf(text));

  it('names a statement once it has run often enough, and keeps that name', () => {
    const statements = new PreparedStatements();
    const text = 'SELECT id FROM widgets WHERE id = $1';
    const names = runs(statements, text, RUNS_BEFORE_PREPARING + 2);
    expect(names.slice(0, RUNS_BEFORE_PREPARING - 1)).toEqual(Array(RUNS_BEFORE_PREPARING - 1).fill(undefined));
    expect(new Set(names.slice(RUNS_BEFORE_PREPARING - 1))).toEqual(new Set(['gh_1']));
  });

  it('gives different statements different names', () => {
    const statements = new PreparedStatements();
    const [a] = runs(statements, 'SELECT 1 WHERE $1::int > 0', RUNS_BEFORE_PREPARING).slice(-1);
    const [b] = runs(statements, 'SELECT 2 WHERE $1::int > 0', RUNS_BEFORE_PREPARING).slice(-1);
    expect(a).toBe('gh_1');
    expect(b).toBe('gh_2');
  });

  it('prepares no more than its limit of statements', () => {
    const statements = new PreparedStatements();
    for (let i = 0; i < MOST_PREPARED + 10; i++) runs(statements, `SELECT ${i} WHERE $1::int > 0`, RUNS_BEFORE_PREPARING);
    expect(statements.nameOf(`SELECT ${MOST_PREPARED - 1} WHERE $1::int > 0`)).toBe(`gh_${MOST_PREPARED}`);
    expect(runs(statements, `SELECT ${MOST_PREPARED + 5} WHERE $1::int > 0`, RUNS_BEFORE_PREPARING * 2)).toEqual(Array(RUNS_BEFORE_PREPARING * 2).fill(undefined));
  });

  it.each([
    ['a statement whose columns a migration could change', 'SELECT * FROM widgets WHERE id = $1'],
    ['a whole-row RETURNING', 'DELETE FROM widgets WHERE id = $1 RETURNING *'],
    ['a table.* list', 'SELECT w.* FROM widgets w'],
    ['several statements', 'UPDATE widgets SET n = 1; UPDATE widgets SET n = 2'],
    ['DDL', 'CREATE TABLE widgets (id int)'],
    ['transaction control', 'COMMIT'],
  ])('never prepares %s', (_what, text) => {
    expect(preparable(text)).toBe(false);
    expect(runs(new PreparedStatements(), text, RUNS_BEFORE_PREPARING * 2)).toEqual(Array(RUNS_BEFORE_PREPARING * 2).fill(undefined));
  });

  it('prepares counts and CTEs', () => {
    expect(preparable('SELECT count(*)::int AS n FROM widgets')).toBe(true);
    expect(preparable('\n  WITH a AS (INSERT INTO widgets (id) VALUES ($1)) SELECT 1')).toBe(true);
  });
});
