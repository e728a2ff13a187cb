import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';

/** One thing wrong in a YAML file, where it is. */
export interface YamlProblem {
  file: string;
  line: number;
  column: number;
  /** `flows[0].targets[1].oktaGroupId` */
  field: string;
  message: string;
}

/** Every problem of a YAML file, each on its own line with file:line:column and field. */
export class YamlFileError extends Error {
  constructor(
    what: string,
    readonly problems: YamlProblem[],
  ) {
    super(
      `${what} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.file}:${p.line}:${p.column} ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'YamlFileError';
  }
}

/**
 * Parses YAML and validates it with a zod schema; every problem, syntax or content, names the
 * file, line, column and field, and is thrown together as the error `fail` makes.
 */
export function parseYamlWith<T extends z.ZodType>(schema: T, text: string, file: string, fail: (problems: YamlProblem[]) => Error): z.output<T> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw fail(
      document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, field: '', message: `YAML syntax: ${error.message.split('\n')[0]}` };
      }),
    );
  }
  const result = schema.safeParse(document.toJS());
  if (result.success) return result.data;
  throw fail(result.error.issues.map((issue) => locate(issue, document, lineCounter, file)));
}

function locate(issue: z.core.$ZodIssue, document: Document, lineCounter: LineCounter, file: string): YamlProblem {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  // A missing field has no node of its own: point at the closest ancestor that exists.
  let offset = 0;
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      offset = node.range[0];
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  return { file, line, column: col, field: formatPath(path), message: missing ? `is required (${issue.expected})` : issue.message };
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** Reads a YAML file's text; a file that cannot be read is one problem, thrown as the error `fail` makes. */
export function readYamlFile(path: string, fail: (problems: YamlProblem[]) => Error): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fail([{ file: path, line: 1, column: 1, field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
}

/** For a schema's superRefine: every item of the list at `key` has a name of its own. */
export function requireUniqueNames(items: readonly { name: string }[], key: string, what: string, ctx: z.core.$RefinementCtx): void {
  const names = new Set<string>();
  items.forEach((item, i) => {
    if (names.has(item.name)) ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `${what} "${item.name}" is defined twice` });
    names.add(item.name);
  });
}

