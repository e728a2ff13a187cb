import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { AuditDestination } from '@gatehouse/config';
import { DestinationError } from '../destination-error';
import { secretFrom } from './http-post';
import type { Outgoing, Sink } from './sink';

type S3Destination = Extract<AuditDestination, { type: 's3' }>;

const gzipAsync = promisify(gzip);
const CHECKPOINT = 'gatehouse.audit.checkpoint';

/** The object key of a batch: from the first record's time and the batch's sequences, so a resend overwrites, never doubles. */
export function objectKey(template: string, batch: readonly Outgoing[], destination: string): string {
  const first = batch[0] as Outgoing;
  const last = batch[batch.length - 1] as Outgoing;
  const label = (o: Outgoing) => (o.record.type === CHECKPOINT ? `c${o.record.sequence}` : o.record.sequence.padStart(12, '0'));
  const at = new Date(first.record.time);
  const two = (n: number) => String(n).padStart(2, '0');
  const values: Record<string, string> = {
    yyyy: String(at.getUTCFullYear()),
    MM: two(at.getUTCMonth() + 1),
    dd: two(at.getUTCDate()),
    HH: two(at.getUTCHours()),
    first: label(first),
    last: label(last),
    destination,
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * S3 or an S3-compatible store, through the AWS SDK: each batch one gzip JSON-lines object under
 * a key made of its sequences. S3's answers become DestinationErrors: credentials or a missing
 * bucket pause it; SlowDown and 5xx are retried.
 */
export class S3Sink implements Sink {
  private client?: S3Client;

  constructor(
    private readonly destination: S3Destination,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Made at the first batch: a missing secret pauses the destination rather than stopping the service. */
  private clientFor(): S3Client {
    if (this.client) return this.client;
    const d = this.destination;
    const credentials = d.credentials
      ? {
          accessKeyId: secretFrom(this.env, d.credentials.accessKeyIdEnv, d.name),
          secretAccessKey: secretFrom(this.env, d.credentials.secretAccessKeyEnv, d.name),
          ...(d.credentials.sessionTokenEnv ? { sessionToken: secretFrom(this.env, d.credentials.sessionTokenEnv, d.name) } : {}),
        }
      : undefined;
    this.client = new S3Client({
      region: d.region,
      ...(d.endpoint ? { endpoint: d.endpoint } : {}),
      forcePathStyle: d.forcePathStyle,
      ...(credentials ? { credentials } : {}),
      maxAttempts: 2,
      // Plain signed bodies: S3-compatible stores do not all take aws-chunked checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      requestHandler: { requestTimeout: d.timeoutMs },
    });
    return this.client;
  }

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    const d = this.destination;
    const key = objectKey(d.keyTemplate, batch, d.name);
    const body = await gzipAsync(`${batch.map((o) => o.line).join('\n')}\n`);
    try {
      await this.clientFor().send(
        new PutObjectCommand({
          Bucket: d.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
          ...(d.serverSideEncryption ? { ServerSideEncryption: d.serverSideEncryption } : {}),
          ...(d.kmsKeyId ? { SSEKMSKeyId: d.kmsKeyId } : {}),
          Metadata: { 'gatehouse-first-sequence': batch[0]?.record.sequence ?? '', 'gatehouse-records': String(batch.length) },
        }),
      );
    } catch (error) {
      throw s3Error(error, d.bucket, key);
    }
  }

  async close(): Promise<void> {
    this.client?.destroy();
  }
}

function s3Error(error: unknown, bucket: string, key: string): DestinationError {
  if (error instanceof DestinationError) return error;
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    const detail = `${error.name}: ${error.message} (s3://${bucket}/${key})`;
    if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'NoSuchBucket', 'AllAccessDisabled', 'KMS.DisabledException'].includes(error.name) || status === 401 || status === 403) {
      return new DestinationError('pause', `${detail} — check the bucket and the credentials`);
    }
    return DestinationError.fromStatus(status || 500, detail, null);
  }
  return new DestinationError('retry', `S3 did not answer: ${error instanceof Error ? error.message : String(error)} (s3://${bucket}/${key})`);
}
