import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException, type _Object } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { S3Settings } from '../../config.js';
import { DomainError } from '../../domain/errors.js';

/**
 * lib-storage buffers each part whole (S3's minimum is 5 MiB; 8 MiB × S3's
 * 10,000 parts allows 78 GiB files); two in flight per upload keep the
 * gateway busy while the next part fills. Four measured about 75 MB more
 * peak RSS per 1 GiB upload, over the 200 MB the server may use in all.
 */
export const UPLOAD_PART_SIZE = 8 * 1024 * 1024;
export const UPLOAD_QUEUE_SIZE = 2;

/** Every object under a prefix, page after page. */
export async function* listObjects(client: S3Client, bucket: string, prefix: string): AsyncIterable<_Object> {
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * The SDK client for the configured bucket. Checksums only where S3 demands
 * them: the SDK's default since 3.729 adds CRC32 trailers to every upload,
 * which gateways older than that change (Ceph RGW 16, older MinIO) refuse or
 * ignore; Nimbus computes the digests it needs itself while streaming.
 */
export function s3ClientFor(s: S3Settings, over: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    credentials: { accessKeyId: s.accessKey, secretAccessKey: s.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: over.maxAttempts ?? 3,
  });
}

/** The S3 error name (NoSuchKey, NotFound, AccessDenied, …), or the network error's code. */
export function s3ErrorName(err: unknown): string {
  if (err instanceof S3ServiceException) return err.name;
  const e = err as { name?: string; code?: string };
  return e?.code ?? e?.name ?? 'Error';
}

export const isNotFound = (err: unknown): boolean => ['NoSuchKey', 'NotFound', 'NoSuchUpload'].includes(s3ErrorName(err));

/**
 * A failure of the object store itself (unreachable, timed out, a 5xx, keys
 * it no longer takes) as the `unavailable` every API family answers with
 * 503: the request was fine, the storage behind it is not. A missing object
 * and the domain's own refusals pass through as they are.
 */
export function storeFailure(err: unknown): unknown {
  if (err instanceof DomainError || isNotFound(err) || (err as NodeJS.ErrnoException)?.code === 'ENOENT') return err;
  return new DomainError('unavailable', `The object store did not answer (${s3ErrorName(err)}); try again later`);
}

/** A not-found error shaped as the file store's, so that callers treat a missing object as a missing file. */
export function enoent(key: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`no such object: ${key}`);
  err.code = 'ENOENT';
  return err;
}

/**
 * Whether the bucket answers and takes a write, a read and a delete under the
 * prefix: what `nimbus config:check` and the server's start ask before a
 * request depends on it. Null when all is well, else what went wrong, in words.
 */
export async function probeBucket(s: S3Settings, client = s3ClientFor(s)): Promise<string | null> {
  const where = `bucket ${s.bucket}${s.endpoint ? ` at ${s.endpoint}` : ''}`;
  const timeout = AbortSignal.timeout(15_000);
  try {
    await client.send(new HeadBucketCommand({ Bucket: s.bucket }), { abortSignal: timeout });
  } catch (err) {
    const name = s3ErrorName(err);
    // HEAD answers carry no error body, so the SDK may only know the status.
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') return `${where} does not exist`;
    if (status === 403 || status === 401 || name === 'Forbidden' || name === 'AccessDenied') return `${where} refuses these credentials (S3_ACCESS_KEY, S3_SECRET_KEY)`;
    return `${where} is not reachable: ${name}${err instanceof Error && err.message && err.message !== name ? ` (${err.message})` : ''}`;
  }
  const key = `${s.prefix}probe/${randomBytes(12).toString('hex')}`;
  const body = randomBytes(16);
  try {
    await client.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body }), { abortSignal: timeout });
    const got = await client.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }), { abortSignal: timeout });
    const read = Buffer.from(await got.Body!.transformToByteArray());
    if (!read.equals(body)) return `${where} answered other bytes than were written`;
  } catch (err) {
    return `${where} is not writable under "${s.prefix}": ${s3ErrorName(err)}`;
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: s.bucket, Key: key })).catch(() => undefined);
  }
  return null;
}
