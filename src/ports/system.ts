export interface Clock {
  now(): number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Randomness and digests the services need, kept behind a port so services stay free of node APIs. */
export interface Secrets {
  /** Alphanumeric token from the CSPRNG. */
  token(length: number): string;
  id(): string;
  uuid(): string;
  /** Stable one-way digest for high-entropy secrets (indexable). */
  digest(value: string): string;
  /** Keyed digest with a per-process key (cache keys that must not reveal credentials). */
  keyedDigest(value: string): string;
  /** Compares two secrets without telling by its timing how much of them matched. */
  equal(a: string, b: string): boolean;
  /** Encrypts for whoever knows `secret` (a high-entropy token); unseal answers null for a wrong secret or a tampered value. */
  seal(secret: string, plaintext: string): string;
  unseal(secret: string, sealed: string): string | null;
  /** A key pair to encrypt to (encryptFor) and read with (decryptWith). */
  keyPair(): { publicKey: string; privateKey: string };
  encryptFor(publicKey: string, plaintext: string): string;
  decryptWith(privateKey: string, sealed: string): string | null;
}
