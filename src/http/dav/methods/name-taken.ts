import { DomainError } from '../../../domain/errors.js';
import type { DavError } from '../errors.js';

/**
 * A create that lost a race for its name (another request, on this process
 * or another, made it between the method's check and the write) gets the
 * answer the method gives when the name was taken before it looked, never
 * the 409 that tells clients a parent folder is missing.
 */
export async function refusedIfTaken<T>(write: Promise<T>, refusal: () => DavError): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof DomainError && err.reason === 'alreadyExists') throw refusal();
    throw err;
  }
}
