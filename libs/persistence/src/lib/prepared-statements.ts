import { createRequire } from 'node:module';
import { Client, type ClientConfig, type QueryConfig } from 'pg';

/** pg's own conversion of a parameter to what it sends (pg/lib/utils; @types/pg leaves it out). */
const { prepareValue } = createRequire(__filename)('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

/**
 * Starts a statement text that may be prepared: written at the call site, so what is prepared
 * is chosen statement by statement (libs that cannot import this one write it out).
 */
export const PREPARED = '/* prepared */ ';
/** Runs of one text before it is prepared (as PgJDBC's prepareThreshold): one-off statements never are. */
export const RUNS_BEFORE_PREPARING = 5;
/** Statements a process prepares at most: each costs every connection that runs it a plan in its backend. */
export const MOST_PREPARED = 256;
/** Longer texts are left unprepared. */
const LONGEST_PREPARED = 16_384;
/** Texts counted at most before the counts start again (a process never holds an unbounded map). */
const MOST_COUNTED = 4_096;

/**
 * Which statement texts to run prepared, process-wide. A text marked PREPARED that ran often is
 * given a name; PostgreSQL then parses it once per connection and, after five runs there, plans
 * it once (its generic plan, where that costs no more than planning each run). Planning was half
 * of PostgreSQL's time on the request path (pg_stat_statements with track_planning at 50
 * requests/s: 0.97 ms of planning against 0.9 ms of execution a request).
 *
 * Opt-in, because a generic plan is one plan for every value: a statement whose best plan
 * depends on its values (a filter that is rare for one value and common for another) can run
 * far slower prepared. Marked statements are single DML statements that look rows up by one key
 * (or insert them). A look-up of a list of keys (`= ANY($1)`, a join to `unnest`) is left
 * unmarked: its generic plan assumes ten keys, and made while the table is small (a fresh
 * database's first minute) it scans the whole table, cheaper then than ten index probes — a plan
 * PostgreSQL keeps until the table is next analyzed, however large it grows meanwhile. Planned
 * each run, the keys are known and the plan fits the table as it is. Never prepared even if
 * marked: several statements, or `*` in the columns (a newer replica's migration adding a column
 * would make it fail with "cached plan must not change result type"; a column whose type changes
 * does the same to any statement using it, so such a failure unnames the text).
 */
export class PreparedStatements {
  private readonly runs = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private named = 0;

  constructor(private readonly prefix = 'gh') {}

  /** The name to run this text under, once it is worth preparing; undefined until then. */
  nameOf(text: string): string | undefined {
    // Checked first: an unmarked text (most, some long) is not hashed for a map look-up.
    if (!text.startsWith(PREPARED)) return undefined;
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= MOST_PREPARED) return name;
    if (!preparable(text)) return undefined;
    if (this.runs.size >= MOST_COUNTED) this.runs.clear();
    const runs = (this.runs.get(text) ?? 0) + 1;
    if (runs < RUNS_BEFORE_PREPARING) {
      this.runs.set(text, runs);
      return undefined;
    }
    this.runs.delete(text);
    this.named += 1;
    const named = `${this.prefix}_${this.named}`;
    this.names.set(text, named);
    return named;
  }

  /**
   * The prepared statement under this name no longer fits the tables it uses (a migration changed
   * a column's type): the text runs unnamed from now on, and is prepared afresh under a new name
   * later. A run still in flight under an older name leaves a newer one alone.
   */
  forget(text: string, name: string): void {
    if (this.names.get(text) === name) this.names.delete(text);
  }
}

export function preparable(text: string): boolean {
  if (!text.startsWith(PREPARED) || text.length > LONGEST_PREPARED) return false;
  const statement = text.slice(PREPARED.length);
  if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(statement)) return false;
  // One statement only (a prepared statement cannot hold several), no `*` but count(*).
  return !statement.includes(';') && !statement.replace(/count\(\s*\*\s*\)/gi, '').includes('*');
}

type QueryCallback = (error: Error | null, result?: unknown) => void;
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * A prepared statement that a migration outdated: its result columns changed type ("cached plan
 * must not change result type", told by the routine, as the message may be translated), or a
 * column it compares or writes a parameter to did (class 42: an operator or type that no longer
 * fits). The same text unnamed is planned afresh and runs.
 */
function outdated(error: unknown): boolean {
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return (code === '0A000' && routine === 'RevalidateCachedQuery') || (typeof code === 'string' && code.startsWith('42'));
}

/**
 * pg's client, running marked statements that repeat as named (prepared) ones. The pool is given
 * this class, so TypeORM's `query(text, values)` is unchanged everywhere; only the name is added.
 */
export function preparingClient(statements: PreparedStatements): typeof Client {
  return class PreparingClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      const query = this.query.bind(this) as Query;
      // pg's query has many overloads; only (text, values?) as TypeORM calls it is rewritten.
      const named = (config: unknown, values?: unknown, callback?: unknown): unknown => {
        const asTypeOrmCalls = typeof config === 'string' && (values === undefined || Array.isArray(values)) && typeof callback !== 'function';
        const name = asTypeOrmCalls ? statements.nameOf(config) : undefined;
        // Values converted first: a value pg cannot convert fails the query before anything is
        // sent, where pg would have closed the named statement and still thought it prepared.
        const converted = name === undefined ? undefined : convertible(values as unknown[] | undefined);
        if (name === undefined || converted === undefined) return query(config, values, callback as QueryCallback | undefined);
        const text = config as string;
        return (query({ name, text, values: converted.values } satisfies QueryConfig) as Promise<unknown>).catch((error: unknown) => {
          if (outdated(error)) statements.forget(text, name);
          throw error;
        });
      };
      this.query = named as Client['query'];
    }
  };
}

/** The values as pg would send them, or undefined when one cannot be converted. */
function convertible(values: readonly unknown[] | undefined): { values: unknown[] | undefined } | undefined {
  try {
    return { values: values?.map((value) => prepareValue(value)) };
  } catch {
    return undefined;
  }
}
