import { z } from 'zod';
import { parseYamlWith, readYamlFile, requireUniqueNames, YamlFileError, type YamlProblem } from '../yaml/parse-yaml';

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

/** Credentials for HTTP destinations, each secret named by an environment variable. */
const httpAuthSchema = z.union([
  z.strictObject({ bearerTokenEnv: envName }),
  z.strictObject({ username: z.string().min(1), passwordEnv: envName }),
  /** Elasticsearch / OpenSearch API keys: `Authorization: ApiKey <the variable's value>` (already base64 "id:key"). */
  z.strictObject({ apiKeyEnv: envName }),
]);

/** TLS for a destination whose server shows a certificate from a private CA. */
const tlsSchema = z.strictObject({
  /** PEM file of the CA(s) to trust, in addition to the system's. */
  caFile: z.string().min(1).optional(),
  /** The name the certificate must carry, when it is not the host's. */
  serverName: z.string().min(1).optional(),
});

const timeoutMs = z.number().int().min(100).max(120_000).default(10_000);

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
    timeoutMs,
  }),
  z.strictObject({
    type: z.literal('splunk-hec'),
    ...common,
    /** The HEC base URL, e.g. https://splunk.example.com:8088; events go to /services/collector/event. */
    url: z.url(),
    /** The HEC token (sent as `Authorization: Splunk <token>`). */
    tokenEnv: envName,
    index: z.string().min(1).optional(),
    sourcetype: z.string().min(1).default('gatehouse:audit'),
    source: z.string().min(1).default('gatehouse'),
    /** The `X-Splunk-Request-Channel` GUID; default: one derived from the destination's name, the same on every replica. */
    channel: z.uuid().optional(),
    /** Indexer acknowledgement: a batch counts as delivered only once Splunk says it is indexed (the token must have it on). */
    ack: z
      .strictObject({ enabled: z.boolean().default(true), pollMs: z.number().int().min(50).max(60_000).default(1000), timeoutMs: z.number().int().min(1000).max(600_000).default(60_000) })
      .optional(),
    batchSize: z.number().int().min(1).max(10_000).default(100),
    tls: tlsSchema.optional(),
    timeoutMs,
  }),
  z.strictObject({
    type: z.literal('elasticsearch'),
    ...common,
    /** Elasticsearch or OpenSearch base URL; records go to <url>/_bulk as `create` with the record id as `_id`. */
    url: z.url(),
    index: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,254}$/, 'a lower-case index or data stream name').default('gatehouse-audit'),
    auth: httpAuthSchema.optional(),
    batchSize: z.number().int().min(1).max(10_000).default(500),
    tls: tlsSchema.optional(),
    timeoutMs,
  }),
  z.strictObject({
    type: z.literal('datadog'),
    ...common,
    /** Your Datadog site (datadoghq.com, datadoghq.eu, us5.datadoghq.com…); logs go to https://http-intake.logs.<site>/api/v2/logs. */
    site: z.string().regex(/^[a-z0-9.-]+$/, 'a Datadog site such as datadoghq.com').default('datadoghq.com'),
    /** Overrides the intake URL (a proxy, or a test). */
    url: z.url().optional(),
    apiKeyEnv: envName,
    service: z.string().min(1).default('gatehouse'),
    ddsource: z.string().min(1).default('gatehouse'),
    ddtags: z.string().min(1).optional(),
    /** Up to 1,000 entries and 5 MB (before compression) a request, as the intake allows. */
    batchSize: z.number().int().min(1).max(1000).default(1000),
    timeoutMs,
  }),
  z.strictObject({
    type: z.literal('s3'),
    ...common,
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    region: z.string().min(1).default('us-east-1'),
    /** An S3-compatible store (MinIO, Ceph, R2…); AWS S3 when absent. */
    endpoint: z.url().optional(),
    /** Path-style addressing (bucket in the path), as most S3-compatible stores want. */
    forcePathStyle: z.boolean().default(false),
    /**
     * Where each batch goes, as a gzip JSON-lines object: {yyyy} {MM} {dd} {HH} (the first record's
     * time, UTC), {first} and {last} (its sequences: the same batch always lands on the same key),
     * {destination}.
     */
    keyTemplate: z
      .string()
      .min(1)
      .refine((t) => t.includes('{first}') && t.includes('{last}'), 'must contain {first} and {last}, so that every batch has a key of its own')
      .default('gatehouse/audit/{yyyy}/{MM}/{dd}/{HH}/{first}-{last}.jsonl.gz'),
    /** Static keys from the environment; without them, the AWS SDK's own chain (environment, web identity, instance role). */
    credentials: z.strictObject({ accessKeyIdEnv: envName, secretAccessKeyEnv: envName, sessionTokenEnv: envName.optional() }).optional(),
    serverSideEncryption: z.enum(['AES256', 'aws:kms']).optional(),
    kmsKeyId: z.string().min(1).optional(),
    batchSize: z.number().int().min(1).max(100_000).default(1000),
    timeoutMs,
  }),
  z.strictObject({
    type: z.literal('syslog'),
    ...common,
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    /** RFC 5424 messages, octet-counted (RFC 6587) over TCP, or over TLS (RFC 5425). */
    protocol: z.enum(['tcp', 'tls']).default('tls'),
    tls: tlsSchema.optional(),
    /** The facility of every message; authpriv (10) by default, as for security and authorization messages. */
    facility: z.number().int().min(0).max(23).default(10),
    appName: z.string().regex(/^[!-~]{1,48}$/, 'printable ASCII, no spaces, at most 48').default('gatehouse'),
    /** The SD-ID of the structured data; use your organisation's private enterprise number (32473 is the one RFC 5612 keeps for examples). */
    structuredDataId: z.string().regex(/^[!-~]{1,32}$/).refine((id) => !/[=\]" ]/.test(id), 'no "=", "]", a double quote or spaces').default('gatehouse@32473'),
    batchSize: z.number().int().min(1).max(10_000).default(500),
    timeoutMs,
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
  .superRefine((file, ctx) => requireUniqueNames(file.destinations, 'destinations', 'destination', ctx));

export type AuditDestination = z.output<typeof auditDestinationSchema>;
export type AuditDestinationsFile = z.output<typeof auditDestinationsFileSchema>;

export class AuditDestinationsError extends YamlFileError {
  constructor(problems: YamlProblem[]) {
    super('The audit destinations file', problems);
    this.name = 'AuditDestinationsError';
  }
}

export function parseAuditDestinations(text: string, file = 'audit-destinations.yaml'): AuditDestinationsFile {
  return parseYamlWith(auditDestinationsFileSchema, text, file, (problems) => new AuditDestinationsError(problems));
}

/** Reads and validates GATEHOUSE_AUDIT_DESTINATIONS; every problem names the file, line and field. */
export function loadAuditDestinations(path: string): AuditDestinationsFile {
  return parseAuditDestinations(readYamlFile(path, (problems) => new AuditDestinationsError(problems)), path);
}

/** The JSON Schema editors use to check a destinations file as it is typed. */
export function auditDestinationsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(auditDestinationsFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
