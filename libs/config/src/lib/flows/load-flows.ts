import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { flowsFileSchema, type FlowsFile } from './flow.schema';

export interface FlowProblem {
  file: string;
  line: number;
  column: number;
  /** `flows[0].targets[1].oktaGroupId` */
  field: string;
  message: string;
}

export class FlowsFileError extends Error {
  constructor(readonly problems: FlowProblem[]) {
    super(
      `The flows file has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.file}:${p.line}:${p.column} ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'FlowsFileError';
  }
}

/** Reads and validates a flows YAML file; every problem names the file, line and field. */
export function loadFlowsFile(path: string): FlowsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FlowsFileError([{ file: path, line: 1, column: 1, field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseFlows(text, path);
}

export function parseFlows(text: string, file = 'flows.yaml'): FlowsFile {
  return parseYamlWith(flowsFileSchema, text, file, (problems) => new FlowsFileError(problems));
}

/**
 * Parses YAML and validates it with a zod schema; every problem, syntax or content, names the
 * file, line, column and field, and is thrown together as the error `fail` makes.
 */
export function parseYamlWith<T extends z.ZodType>(schema: T, text: string, file: string, fail: (problems: FlowProblem[]) => Error): z.output<T> {
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

function locate(issue: z.core.$ZodIssue, document: Document, lineCounter: LineCounter, file: string): FlowProblem {
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

/** The JSON Schema editors use to check a flows file as it is typed. */
export function flowsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(flowsFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
