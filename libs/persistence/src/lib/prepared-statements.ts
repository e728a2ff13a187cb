import { Client, type ClientConfig, type QueryConfig } from 'pg';

/** Runs of one text before it is prepared (as PgJDBC's prepareThreshold): one-off statements never are. */
export const RUNS_BEFORE_PREPARING = 5;
/** Statements a process prepares at most: each costs every connection that runs it a plan in its backend. */
export const MOST_PREPARED = 256;
/** Longer texts (a large group's statement) are left unprepared: their planning is shared by the group. */
const LONGEST_PREPARED = 16_384;
/** Texts counted at most before the counts start again (a process never holds an unbounded map). */
const MOST_COUNTED = 4_096;

/**
 * Which statement texts are worth preparing, process-wide. A text that ran often is given a
 * name; PostgreSQL then parses it once per connection and, after five runs there, plans it once
 * (its generic plan, when that costs no more than planning each run would). Planning was half
 * of PostgreSQL's time on the request path (pg_stat_statements with track_planning at 50
 * requests/s: 0.97 ms of planning against 0.9 ms of execution a request).
 *
 * Only single DML statements whose result columns are spelled out: a `*` would make an
 * ALTER TABLE by a newer replica's migration fail the prepared statement ("cached plan must not
 * change result type") where the unprepared one just returns one more column.
 */
export class PreparedStatements {
  private readonly runs = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(private readonly prefix = 'gh') {}

  /** The name to run this text under, once it is worth preparing; undefined until then. */
  nameOf(text: string): string | undefined {
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
    const named = `${this.prefix}_${this.names.size + 1}`;
    this.names.set(text, named);
    return named;
  }
}

export function preparable(text: string): boolean {
  if (text.length > LONGEST_PREPARED || !/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text)) return false;
  // One statement only (a prepared statement cannot hold several), no `*` but count(*).
  return !text.includes(';') && !text.replace(/count\(\s*\*\s*\)/gi, '').includes('*');
}

type QueryCallback = (error: Error | null, result?: unknown) => void;

/**
 * pg's client, running statements that repeat as named (prepared) ones. The pool is given this
 * class, so TypeORM's `query(text, values)` is unchanged everywhere; only the name is added.
 */
export function preparingClient(statements: PreparedStatements): typeof Client {
  return class PreparingClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
      const query = this.query.bind(this) as (config: unknown, values?: unknown, callback?: unknown) => unknown;
      // pg's query has many overloads; only (text, values?) as TypeORM calls it is rewritten.
      const named = (config: unknown, values?: unknown, callback?: unknown): unknown => {
        if (typeof config === 'string' && (values === undefined || Array.isArray(values)) && typeof callback !== 'function') {
          const name = statements.nameOf(config);
          if (name !== undefined) return query({ name, text: config, values: values as unknown[] | undefined } satisfies QueryConfig);
        }
        return query(config, values, callback as QueryCallback | undefined);
      };
      this.query = named as Client['query'];
    }
  };
}
