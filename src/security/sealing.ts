import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Secrets kept for a short while for someone who proves a token: AES-256-GCM
 * under a key derived from the token, and encryption to an X25519 public key
 * (an ephemeral key agreement, then AES-256-GCM), so that a database copy
 * without the token reads nothing. Every sealed value is base64url of
 * [iv | tag | ciphertext], preceded by the ephemeral public key for the second.
 */
const keyOf = (secret: string | Buffer): Buffer => createHash('sha256').update('nimbus-seal\u0000').update(secret).digest();

function encrypt(key: Buffer, plaintext: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, sealed: Buffer): string | null {
  if (sealed.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export const seal = (secret: string, plaintext: string): string => encrypt(keyOf(secret), plaintext).toString('base64url');

export const unseal = (secret: string, sealed: string): string | null => decrypt(keyOf(secret), Buffer.from(sealed, 'base64url'));

export function keyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
  };
}

const RAW_X25519 = 32;

export function encryptFor(publicKey: string, plaintext: string): string {
  const recipient = createPublicKey({ key: Buffer.from(publicKey, 'base64url'), format: 'der', type: 'spki' });
  const ephemeral = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  const ephemeralRaw = ephemeral.publicKey.export({ type: 'spki', format: 'der' }).subarray(-RAW_X25519);
  return Buffer.concat([ephemeralRaw, encrypt(keyOf(shared), plaintext)]).toString('base64url');
}

export function decryptWith(privateKey: string, sealed: string): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= RAW_X25519) return null;
  try {
    const own = createPrivateKey({ key: Buffer.from(privateKey, 'base64url'), format: 'der', type: 'pkcs8' });
    // An X25519 SPKI is a fixed 12-byte prefix and the 32-byte key.
    const prefix = Buffer.from('302a300506032b656e032100', 'hex');
    const ephemeral = createPublicKey({ key: Buffer.concat([prefix, bytes.subarray(0, RAW_X25519)]), format: 'der', type: 'spki' });
    return decrypt(keyOf(diffieHellman({ privateKey: own, publicKey: ephemeral })), bytes.subarray(RAW_X25519));
  } catch {
    return null;
  }
}
