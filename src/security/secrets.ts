import { randomBytes, randomUUID } from 'node:crypto';
import type { Secrets } from '../ports/system.js';
import { decryptWith, encryptFor, keyPair, seal, unseal } from './sealing.js';
import { constantTimeEqual, hmacHex, randomAlphanumeric, randomId, sha256Hex } from './tokens.js';

export function createSecrets(): Secrets {
  const processKey = randomBytes(32);
  return {
    token: randomAlphanumeric,
    id: () => randomId(),
    uuid: () => randomUUID(),
    digest: sha256Hex,
    keyedDigest: (value) => hmacHex(processKey, value),
    equal: constantTimeEqual,
    seal,
    unseal,
    keyPair,
    encryptFor,
    decryptWith,
  };
}
