import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config.js';
import type { ReadinessCheck } from '../../ports/readiness.js';
import { s3ClientFor, s3ErrorName } from './s3-client.js';

/** A gateway slower than this is as good as down to a load balancer. */
const TIMEOUT_MS = 2000;
/** One answer serves every probe for this long: a scrape storm costs the gateway one request a second. */
const CACHE_MS = 1000;

/**
 * /readyz's look at the bucket: one HeadBucket (no body, no write), bounded
 * in time, its answer shared by the probes that arrive while it runs and
 * kept for a second.
 */
export class S3Readiness {
  private readonly client: S3Client;
  private last: { at: number; check: ReadinessCheck } | null = null;
  private running: Promise<ReadinessCheck> | null = null;

  constructor(
    private readonly settings: S3Settings,
    client?: S3Client,
    private readonly now: () => number = Date.now,
  ) {
    // No retries: a probe says how the gateway is now, and a retry would outlast the bound.
    this.client = client ?? s3ClientFor(settings, { maxAttempts: 1 });
  }

  check(): Promise<ReadinessCheck> {
    if (this.last && this.now() - this.last.at < CACHE_MS) return Promise.resolve(this.last.check);
    this.running ??= this.probe().then((check) => {
      this.last = { at: this.now(), check };
      this.running = null;
      return check;
    });
    return this.running;
  }

  private async probe(): Promise<ReadinessCheck> {
    const where = `bucket ${this.settings.bucket}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }), { abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
      return { name: 'storage', ok: true };
    } catch (err) {
      const name = s3ErrorName(err);
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'AbortError' || name === 'TimeoutError') return { name: 'storage', ok: false, reason: `${where} did not answer within ${TIMEOUT_MS / 1000} s` };
      return { name: 'storage', ok: false, reason: status ? `${where} answered ${status} (${name})` : `${where} is not reachable (${name})` };
    }
  }

  close(): void {
    this.client.destroy();
  }
}
