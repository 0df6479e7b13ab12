import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm } from '../ports/files.js';

/** Incremental digest of a byte stream. */
export interface Digester {
  update(chunk: Buffer): void;
  hex(): string;
}

const ADLER_MOD = 65521;
/** Bytes per inner loop before the sums must be reduced (zlib's NMAX): keeps both below 2^32. */
const ADLER_NMAX = 5552;

/** Adler-32 (RFC 1950), which Nextcloud and ownCloud clients send as ADLER32. */
export class Adler32 implements Digester {
  private a = 1;
  private b = 0;

  update(chunk: Buffer): void {
    let { a, b } = this;
    let i = 0;
    while (i < chunk.length) {
      const end = Math.min(i + ADLER_NMAX, chunk.length);
      for (; i < end; i++) {
        a += chunk[i]!;
        b += a;
      }
      a %= ADLER_MOD;
      b %= ADLER_MOD;
    }
    this.a = a;
    this.b = b;
  }

  hex(): string {
    return (((this.b << 16) | this.a) >>> 0).toString(16).padStart(8, '0');
  }
}

class NodeDigester implements Digester {
  private readonly hash: Hash;

  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }

  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

export const digesterFor = (algorithm: DigestAlgorithm): Digester => (algorithm === 'adler32' ? new Adler32() : new NodeDigester(algorithm));
