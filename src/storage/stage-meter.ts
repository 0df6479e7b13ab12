import { Transform } from 'node:stream';
import { DomainError } from '../domain/errors.js';
import type { StagedBlob, StageOptions } from '../ports/files.js';
import { digesterFor } from './digests.js';

/**
 * What every blob store puts between a body and its bytes: counts them,
 * digests them as they pass, and past the quota reads and drops the rest
 * rather than destroying the request, so the client still gets its 507 (an
 * unread request body would otherwise cut the connection).
 */
export class StageMeter {
  readonly stream: Transform;
  private size = 0;
  private over = false;
  private readonly digesters: ReadonlyArray<readonly [string, ReturnType<typeof digesterFor>]>;

  constructor(private readonly opts: StageOptions) {
    this.digesters = (opts.digests ?? []).map((a) => [a, digesterFor(a)] as const);
    const max = opts.maxBytes;
    this.stream = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.size += chunk.length;
        if (this.over || (max !== undefined && this.size > max)) {
          this.over = true;
          return done();
        }
        for (const [, d] of this.digesters) d.update(chunk);
        done(null, chunk);
      },
    });
  }

  /** Whether any digest is asked for. */
  get digesting(): boolean {
    return this.digesters.length > 0;
  }

  /** Throws the quota refusal when the body went past the limit. */
  assertWithinQuota(): void {
    if (this.over) throw new DomainError('quotaExceeded', `Insufficient space: ${this.size} bytes sent, ${this.opts.maxBytes} available`);
  }

  staged(id: string): StagedBlob {
    return { id, size: this.size, digests: Object.fromEntries(this.digesters.map(([a, d]) => [a, d.hex()])) };
  }
}

/** The meter's answer for bytes already in memory: the same size, digests and quota refusal, without a stream. */
export function meterHeld(bytes: Buffer, opts: StageOptions): Omit<StagedBlob, 'id'> {
  if (opts.maxBytes !== undefined && bytes.length > opts.maxBytes) throw new DomainError('quotaExceeded', `Insufficient space: ${bytes.length} bytes sent, ${opts.maxBytes} available`);
  const digests: StagedBlob['digests'] = {};
  for (const a of opts.digests ?? []) {
    const d = digesterFor(a);
    d.update(bytes);
    digests[a] = d.hex();
  }
  return { size: bytes.length, digests };
}
