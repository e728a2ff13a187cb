import { MOST_PREPARED, preparable, PREPARED, PreparedStatements, RUNS_BEFORE_PREPARING } from './prepared-statements';

describe('PreparedStatements', () => {
  const runs = (statements: PreparedStatements, text: string, times: number) => Array.from({ length: times }, () => statements.nameOf(text));
  const none = (times: number) => Array(times).fill(undefined);

  it('names a marked statement once it has run often enough, and keeps that name', () => {
    const statements = new PreparedStatements();
    const names = runs(statements, `${PREPARED}SELECT id FROM widgets WHERE id = $1`, RUNS_BEFORE_PREPARING + 2);
    expect(names.slice(0, RUNS_BEFORE_PREPARING - 1)).toEqual(none(RUNS_BEFORE_PREPARING - 1));
    expect(new Set(names.slice(RUNS_BEFORE_PREPARING - 1))).toEqual(new Set(['gh_1']));
  });

  it('never names a statement that is not marked', () => {
    expect(runs(new PreparedStatements(), 'SELECT id FROM widgets WHERE id = $1', RUNS_BEFORE_PREPARING * 2)).toEqual(none(RUNS_BEFORE_PREPARING * 2));
  });

  it('gives different statements different names, and a forgotten one a new name later', () => {
    const statements = new PreparedStatements();
    const a = `${PREPARED}SELECT 1 WHERE $1::int > 0`;
    expect(runs(statements, a, RUNS_BEFORE_PREPARING).at(-1)).toBe('gh_1');
    expect(runs(statements, `${PREPARED}SELECT 2 WHERE $1::int > 0`, RUNS_BEFORE_PREPARING).at(-1)).toBe('gh_2');
    statements.forget(a, 'gh_2');
    expect(statements.nameOf(a)).toBe('gh_1');
    statements.forget(a, 'gh_1');
    expect(runs(statements, a, RUNS_BEFORE_PREPARING)).toEqual([...none(RUNS_BEFORE_PREPARING - 1), 'gh_3']);
  });

  it('prepares no more than its limit of statements', () => {
    const statements = new PreparedStatements();
    for (let i = 0; i < MOST_PREPARED + 10; i++) runs(statements, `${PREPARED}SELECT ${i} WHERE $1::int > 0`, RUNS_BEFORE_PREPARING);
    expect(statements.nameOf(`${PREPARED}SELECT ${MOST_PREPARED - 1} WHERE $1::int > 0`)).toBe(`gh_${MOST_PREPARED}`);
    expect(runs(statements, `${PREPARED}SELECT ${MOST_PREPARED + 5} WHERE $1::int > 0`, RUNS_BEFORE_PREPARING * 2)).toEqual(none(RUNS_BEFORE_PREPARING * 2));
  });

  it.each([
    ['a statement whose columns a migration could change', 'SELECT * FROM widgets WHERE id = $1'],
    ['a whole-row RETURNING', 'DELETE FROM widgets WHERE id = $1 RETURNING *'],
    ['a table.* list', 'SELECT w.* FROM widgets w'],
    ['several statements', 'UPDATE widgets SET n = 1; UPDATE widgets SET n = 2'],
    ['DDL', 'CREATE TABLE widgets (id int)'],
    ['transaction control', 'COMMIT'],
  ])('never prepares %s, even marked', (_what, text) => {
    expect(preparable(`${PREPARED}${text}`)).toBe(false);
    expect(runs(new PreparedStatements(), `${PREPARED}${text}`, RUNS_BEFORE_PREPARING * 2)).toEqual(none(RUNS_BEFORE_PREPARING * 2));
  });

  it('prepares counts and CTEs', () => {
    expect(preparable(`${PREPARED}SELECT count(*)::int AS n FROM widgets`)).toBe(true);
    expect(preparable(`${PREPARED}\n  WITH a AS (INSERT INTO widgets (id) VALUES ($1)) SELECT 1`)).toBe(true);
  });
});
