import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FakeHttpReceiver, type Answer } from './http-receiver';

export interface StoredObject {
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  serverSideEncryption?: string;
  metadata: Record<string, string>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Answer {
  const fields = Object.entries({ Code: code, Message: message, ...extra, RequestId: randomBytes(8).toString('hex').toUpperCase() })
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return { status, headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>` };
}

/**
 * A fake S3 (path-style, as S3-compatible stores serve it): PutObject (tests read what it stored) with
 * Signature Version 4 checked in full — the canonical request, the scope, the signature with the
 * secret key, and the payload's SHA-256 against `x-amz-content-sha256` — and S3's XML errors
 * (NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch, XAmzContentSHA256Mismatch, SlowDown).
 */
export class FakeS3 extends FakeHttpReceiver {
  readonly accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  readonly secretAccessKey = randomBytes(20).toString('base64');
  readonly region = 'eu-west-1';
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  constructor() {
    super();
    this.decodeGzip = false;
  }

  createBucket(name: string): void {
    this.buckets.set(name, new Map());
  }

  objects(bucket: string): Map<string, StoredObject> {
    return this.buckets.get(bucket) ?? new Map();
  }

  protected override unavailable(): Answer {
    return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
  }

  protected answer(req: IncomingMessage, url: string, body: Buffer): Answer {
    const refused = this.checkSignature(req, url, body);
    if (refused) return refused;
    const path = url.split('?')[0] ?? '/';
    const [, bucket, ...rest] = path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const objects = this.buckets.get(bucket ?? '');
    if (!objects) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket ?? '' });
    if (req.method === 'PUT' && key) {
      const metadata = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-amz-meta-')).map(([name, value]) => [name.slice('x-amz-meta-'.length), String(value)]));
      objects.set(key, {
        body,
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        serverSideEncryption: req.headers['x-amz-server-side-encryption'] as string | undefined,
        metadata,
      });
      return { status: 200, headers: { etag: `"${createHash('md5').update(body).digest('hex')}"` } };
    }
    return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }

  /** AWS Signature Version 4, header form. */
  private checkSignature(req: IncomingMessage, url: string, body: Buffer): Answer | undefined {
    const auth = req.headers['authorization'] ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!match) return s3Error(403, 'AccessDenied', 'Missing or malformed AWS Signature Version 4 authorization');
    const [, accessKeyId, date, region, signedHeaders, signature] = match as unknown as string[];
    if (accessKeyId !== this.accessKeyId) return s3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    if (region !== this.region) return s3Error(400, 'AuthorizationHeaderMalformed', `the region '${region}' is wrong; expecting '${this.region}'`);
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    if (!amzDate.startsWith(date as string)) return s3Error(403, 'AccessDenied', 'x-amz-date does not match the credential scope');
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return s3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    const [path, query = ''] = url.split('?') as [string, string?];
    const canonicalQuery = query
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=').map((part) => encode(decodeURIComponent(part ?? ''))) as [string, string?])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join('&');
    const names = (signedHeaders as string).split(';');
    const canonicalHeaders = names.map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${this.secretAccessKey}`, date as string), region as string), 's3'), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    const given = Buffer.from(signature as string, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    return undefined;
  }
}
