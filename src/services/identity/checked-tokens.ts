import type { Clock, Secrets } from '../../ports/system.js';

/** Bounded: past this many, expired entries go first, then all. */
const MAX_REMEMBERED = 10_000;

/**
 * Bearer JWTs whose signature and claims were checked, remembered by a keyed
 * digest (never the token itself) until the token's own `exp`, so a repeated
 * request skips the signature and only repeats the revocation check the
 * caller makes of what is remembered.
 */
export class CheckedTokens<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    /** Keeps two verifiers' digests apart. */
    private readonly scope: string,
    private readonly clock: Clock,
    private readonly secrets: Secrets,
  ) {}

  private key(token: string): string {
    return this.secrets.keyedDigest(`${this.scope}\u0000${token}`);
  }

  /** What was remembered of a token not yet expired; an expired entry is dropped. */
  get(token: string): T | undefined {
    const key = this.key(token);
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.clock.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  /** `expiresAt`: epoch ms. */
  remember(token: string, value: T, expiresAt: number): void {
    if (this.entries.size >= MAX_REMEMBERED) {
      const now = this.clock.now();
      for (const [k, v] of this.entries) if (v.expiresAt <= now) this.entries.delete(k);
      if (this.entries.size >= MAX_REMEMBERED) this.entries.clear();
    }
    this.entries.set(this.key(token), { value, expiresAt });
  }
}
