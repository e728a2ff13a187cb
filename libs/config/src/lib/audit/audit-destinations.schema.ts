import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseYamlWith, type FlowProblem } from '../flows/load-flows';

/** Which records a destination takes: by event type and by flow (absent: all). */
const filterSchema = z.strictObject({
  types: z.array(z.string().min(1)).min(1).optional(),
  flows: z.array(z.string().min(1)).min(1).optional(),
});

const common = {
  /** A name of its own: its cursor, metrics and state are kept under it. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
  /** `cloudevents`: the whole record (CloudEvents 1.0 attributes, the OCSF event as data); `ocsf`: the OCSF event alone; `json`: the OCSF event with id, type, time, subject and sequence. */
  format: z.enum(['cloudevents', 'ocsf', 'json']).default('cloudevents'),
  filter: filterSchema.optional(),
};

/** The name of an environment variable holding a secret: secrets stay out of the file. */
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable, e.g. AUDIT_WEBHOOK_SECRET');

export const auditDestinationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('stdout'), ...common }),
  z.strictObject({
    type: z.literal('file'),
    ...common,
    /** JSON lines appended here; rotated to `<path>.<timestamp>` by size or age. */
    path: z.string().min(1),
    rotate: z
      .strictObject({
        maxBytes: z.number().int().min(1024).default(100 * 1024 * 1024),
        maxAgeSeconds: z.number().int().min(1).default(86_400),
      })
      .default({ maxBytes: 100 * 1024 * 1024, maxAgeSeconds: 86_400 }),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    ...common,
    url: z.url(),
    /** `json`: one JSON array a batch; `ndjson`: one record a line. */
    body: z.enum(['json', 'ndjson']).default('ndjson'),
    batchSize: z.number().int().min(1).max(10_000).default(100),
    /** Signs each body: `X-Gatehouse-Signature: sha256=<HMAC of "<timestamp>.<body>">`, with `X-Gatehouse-Timestamp`. */
    hmacSecretEnv: envName.optional(),
    auth: z
      .union([z.strictObject({ bearerTokenEnv: envName }), z.strictObject({ username: z.string().min(1), passwordEnv: envName })])
      .optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  }),
  z.strictObject({
    type: z.literal('kafka'),
    ...common,
    /** Default: gatehouse.audit.v1 behind the service's KAFKA_TOPIC_PREFIX; a name given here is used as it is. */
    topic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name').optional(),
    /** Default: the brokers audit-reporting uses (KAFKA_BROKERS). */
    brokers: z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'host:port')).min(1).optional(),
  }),
]);

export const auditDestinationsFileSchema = z
  .strictObject({ destinations: z.array(auditDestinationSchema) })
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    file.destinations.forEach((d, i) => {
      if (names.has(d.name)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'name'], message: `destination "${d.name}" is defined twice` });
      names.add(d.name);
    });
  });

export type AuditDestination = z.output<typeof auditDestinationSchema>;
export type AuditDestinationsFile = z.output<typeof auditDestinationsFileSchema>;

export class AuditDestinationsError extends Error {
  constructor(readonly problems: FlowProblem[]) {
    super(
      `The audit destinations file has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.file}:${p.line}:${p.column} ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'AuditDestinationsError';
  }
}

export function parseAuditDestinations(text: string, file = 'audit-destinations.yaml'): AuditDestinationsFile {
  return parseYamlWith(auditDestinationsFileSchema, text, file, (problems) => new AuditDestinationsError(problems));
}

/** Reads and validates GATEHOUSE_AUDIT_DESTINATIONS; every problem names the file, line and field. */
export function loadAuditDestinations(path: string): AuditDestinationsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuditDestinationsError([{ file: path, line: 1, column: 1, field: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseAuditDestinations(text, path);
}

/** The JSON Schema editors use to check a destinations file as it is typed. */
export function auditDestinationsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(auditDestinationsFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
