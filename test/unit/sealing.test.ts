import { describe, expect, it } from 'vitest';
import { decryptWith, encryptFor, keyPair, seal, unseal } from '../../src/security/sealing.js';

describe('sealing secrets for whoever holds a token', () => {
  it('opens with the same secret only, and refuses a tampered value', () => {
    const sealed = seal('poll-token-1', 'app-password');
    expect(sealed).not.toContain('app-password');
    expect(unseal('poll-token-1', sealed)).toBe('app-password');
    expect(unseal('poll-token-2', sealed)).toBeNull();
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(unseal('poll-token-1', bytes.toString('base64url'))).toBeNull();
    expect(unseal('poll-token-1', 'short')).toBeNull();
  });

  it('encrypts to a public key that only its private key reads, with a fresh key agreement each time', () => {
    const keys = keyPair();
    const a = encryptFor(keys.publicKey, 'secret');
    const b = encryptFor(keys.publicKey, 'secret');
    expect(a).not.toBe(b);
    expect(decryptWith(keys.privateKey, a)).toBe('secret');
    expect(decryptWith(keyPair().privateKey, a)).toBeNull();
    expect(decryptWith(keys.privateKey, 'garbage')).toBeNull();
    expect(decryptWith('not-a-key', a)).toBeNull();
  });
});
