import { DomainError } from './errors.js';

/** The checksum types clients send in OC-Checksum ("SHA1:<hex>"), by the name they use. */
const TYPES = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', 'SHA3-256': 'sha3-256', ADLER32: 'adler32' } as const;

export type ChecksumType = keyof typeof TYPES;
export type ChecksumAlgorithm = (typeof TYPES)[ChecksumType];

export interface DeclaredChecksum {
  type: ChecksumType;
  algorithm: ChecksumAlgorithm;
  /** Lower-case hex. */
  value: string;
}

/** Parses an OC-Checksum header; an unknown type or a value that is not hex is refused rather than stored unchecked. */
export function parseChecksum(header: string): DeclaredChecksum {
  const m = /^\s*([A-Za-z0-9-]+):([0-9A-Fa-f]+)\s*$/.exec(header);
  const type = m?.[1]?.toUpperCase() as ChecksumType | undefined;
  if (!m || !type || !(type in TYPES)) throw new DomainError('invalidInput', `Unsupported checksum: ${header.slice(0, 40)}`);
  return { type, algorithm: TYPES[type], value: m[2]!.toLowerCase() };
}

/** The checksum as stored and shown in oc:checksums ("SHA1:<hex>"). */
export const formatChecksum = (c: { type: ChecksumType; value: string }): string => `${c.type}:${c.value}`;
