import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import type { S3Settings } from '../../src/config.js';
import { probeBucket, s3ClientFor } from '../../src/storage/s3/s3-client.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The S3 server the suites use: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and
 * S3_SECRET_KEY from the environment (what .ci/run exports), else what
 * `.ci/s3.sh env` prints when the local gateway runs. NIMBUS_TEST_S3=0 skips.
 */
function findSettings(): { settings: S3Settings } | { reason: string } {
  if (process.env.NIMBUS_TEST_S3 === '0') return { reason: 'NIMBUS_TEST_S3=0' };
  let env: Record<string, string | undefined> = process.env;
  if (!env.S3_ENDPOINT || !env.S3_BUCKET) {
    try {
      const out = execFileSync('bash', [path.join(REPO, '.ci/s3.sh'), 'env'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] });
      env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    } catch {
      return { reason: 'no S3 gateway: S3_ENDPOINT is not set and .ci/s3.sh is not running (start it with .ci/s3.sh start)' };
    }
  }
  if (!env.S3_ENDPOINT || !env.S3_BUCKET || !env.S3_ACCESS_KEY || !env.S3_SECRET_KEY) return { reason: 'S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY are not all set' };
  return {
    settings: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION ?? 'us-east-1',
      bucket: env.S3_BUCKET,
      accessKey: env.S3_ACCESS_KEY,
      secretKey: env.S3_SECRET_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
      prefix: '',
    },
  };
}

async function resolve(): Promise<{ settings: S3Settings | null; reason: string | null }> {
  const found = findSettings();
  if ('reason' in found) return { settings: null, reason: found.reason };
  const problem = await probeBucket(found.settings);
  return problem ? { settings: null, reason: problem } : { settings: found.settings, reason: null };
}

// Resolved once when the helper loads, so suites can be declared synchronously.
const S3 = await resolve();

/** Why the S3 suites are skipped, or null when the gateway answers. */
export const S3_SKIP_REASON = S3.reason;

/** The gateway's settings under a prefix of its own, so that suites (and processes) sharing the bucket never see each other's objects. */
export function s3Settings(prefix = `t-${randomBytes(6).toString('hex')}/`): S3Settings {
  if (!S3.settings) throw new Error(`S3 is not available: ${S3.reason}`);
  return { ...S3.settings, prefix };
}

/** The environment that makes buildTestApp store blobs in the bucket (a prefix of their own). */
export function s3Env(prefix?: string): Record<string, string> {
  const s = s3Settings(prefix);
  return {
    STORAGE: 's3',
    ...(s.endpoint ? { S3_ENDPOINT: s.endpoint } : {}),
    S3_REGION: s.region,
    S3_BUCKET: s.bucket,
    S3_ACCESS_KEY: s.accessKey,
    S3_SECRET_KEY: s.secretKey,
    S3_FORCE_PATH_STYLE: String(s.forcePathStyle),
    S3_PREFIX: s.prefix,
  };
}

/** A suite that needs the S3 gateway: skipped, with the reason in its name, when it does not answer. */
export function describeS3(name: string, fn: () => void): void {
  if (S3.reason) describe.skip(`${name} [s3: skipped, ${S3.reason}]`, fn);
  else describe(`${name} [s3]`, fn);
}

/** Deletes every object under a prefix of the test bucket (what an app of a suite left), so the bucket does not grow run after run. */
export async function emptyPrefix(prefix: string): Promise<void> {
  if (!S3.settings || !prefix) return;
  const client = s3ClientFor(S3.settings);
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: S3.settings.bucket, Prefix: prefix, ContinuationToken: token }));
    await Promise.all((page.Contents ?? []).map((o) => client.send(new DeleteObjectCommand({ Bucket: S3.settings!.bucket, Key: o.Key! }))));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  client.destroy();
}

/** Every key under a prefix of the test bucket. */
export async function listKeys(prefix: string): Promise<string[]> {
  if (!S3.settings) return [];
  const client = s3ClientFor(S3.settings);
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: S3.settings.bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  client.destroy();
  return out;
}
