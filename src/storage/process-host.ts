import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The name of the place this process's pid means something: the host name
 * and, on Linux, the kernel's boot id and this process's pid namespace.
 * Liveness checks ask the system about another process's pid only when it
 * was written under the same name. A host name alone is not enough:
 * containers often share one (an image's default, a pod template), and each
 * numbers its pids from 1, so a pid from a sibling container would be asked
 * about here and found dead. On other systems, or where /proc cannot be
 * read, the host name is all there is, and containers sharing a bucket or
 * a data directory need host names of their own.
 */
export const processHost: string = placeName();

function placeName(): string {
  const host = encodeURIComponent(hostname());
  const place = [readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()), readOrNull(() => readlinkSync('/proc/self/ns/pid'))];
  if (place.some((p) => p === null)) return host;
  return `${host}@${createHash('sha256').update(place.join('\n')).digest('hex').slice(0, 12)}`;
}

function readOrNull(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}
