import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { parseChecksum } from '../domain/checksum.js';
import type { DigestAlgorithm } from '../ports/files.js';
import { type BlobEndpoint, isMissing } from './blob-endpoint.js';
import { digesterFor } from './digests.js';
import type { MigrationLedger } from './migration-ledger.js';

export interface MigrationTally {
  /** Blobs looked at. */
  blobs: number;
  copied: number;
  /** Bytes of the blobs copied. */
  bytes: number;
  /** Already in the target and verified by an earlier run (re-read and compared with --verify). */
  skipped: number;
  /** Copies found corrupted or cut short in the target, copied again. */
  repaired: number;
  /** Blobs gone from the source before they could be read (deleted meanwhile, or named by a row but missing). */
  vanished: string[];
  /** Blobs whose source bytes do not match a checksum their rows declare: not copied. */
  corrupted: string[];
  /** Blobs that could not be copied, with why. */
  failed: Array<{ id: string; reason: string }>;
}

export interface MigrationRun {
  from: BlobEndpoint;
  to: BlobEndpoint;
  ledger: MigrationLedger;
  ids: string[];
  /** The checksums rows declare per blob ("SHA1:<hex>"). */
  declared: Map<string, string[]>;
  /** Re-read every copy an earlier run verified, instead of trusting its size. */
  verify: boolean;
  parallel?: number;
  progress?: (tally: MigrationTally, total: number) => void;
}

const PARALLEL = 4;
const ATTEMPTS = 2;

async function sha256Of(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The declared checksums as digests to compute; what does not parse is left out (the upload refused such headers). */
function expectedDigests(declared: string[]): Array<{ algorithm: DigestAlgorithm; value: string; text: string }> {
  const out = [];
  for (const text of declared.flatMap((d) => d.split(/\s+/)).filter(Boolean)) {
    try {
      const c = parseChecksum(text);
      out.push({ algorithm: c.algorithm, value: c.value, text });
    } catch {
      // not one of ours to check
    }
  }
  return out;
}

class SourceCorrupted extends Error {}

/**
 * Copies blobs from one store to another, each verified: the source's bytes
 * against the checksums their rows declare (as they stream), and the
 * target's copy read back and compared by SHA-256 with what was sent. Each
 * verified copy goes into the ledger as it is done, so a run killed at any
 * point loses at most the copies in flight; a blob already in the ledger
 * and still in the target at its size is skipped.
 */
export async function migrateBlobs(run: MigrationRun): Promise<MigrationTally> {
  const tally: MigrationTally = { blobs: 0, copied: 0, bytes: 0, skipped: 0, repaired: 0, vanished: [], corrupted: [], failed: [] };
  const { from, to, ledger } = run;

  const copy = async (id: string): Promise<'copied' | 'vanished'> => {
    let source: Readable;
    try {
      source = await from.read(id);
    } catch (err) {
      if (isMissing(err)) return 'vanished';
      throw err;
    }
    const expected = expectedDigests(run.declared.get(id) ?? []);
    const digesters = expected.map((e) => digesterFor(e.algorithm));
    const sha = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sha.update(chunk);
        for (const d of digesters) d.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    source.once('error', (err) => tap.destroy(err));
    await to.write(id, source.pipe(tap));
    const sent = sha.digest('hex');
    const wrong = expected.find((e, i) => digesters[i]!.hex() !== e.value);
    if (wrong) {
      await to.remove(id);
      throw new SourceCorrupted(`its bytes do not match the checksum ${wrong.text} its row declares`);
    }
    const back = await sha256Of(await to.read(id));
    if (back.sha256 !== sent || back.size !== size) throw new Error(`the copy read back differs (${back.size} bytes, sha256 ${back.sha256.slice(0, 12)}…, sent ${size} bytes, ${sent.slice(0, 12)}…)`);
    await ledger.record(id, { size, sha256: sent });
    tally.bytes += size;
    return 'copied';
  };

  const one = async (id: string): Promise<void> => {
    tally.blobs++;
    const known = ledger.get(id);
    if (known) {
      const size = await to.size(id);
      if (size === known.size && (!run.verify || (await sha256Of(await to.read(id))).sha256 === known.sha256)) {
        tally.skipped++;
        return;
      }
      ledger.forget(id);
      if (size !== null) tally.repaired++;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        if ((await copy(id)) === 'vanished') tally.vanished.push(id);
        else tally.copied++;
        return;
      } catch (err) {
        if (err instanceof SourceCorrupted) {
          tally.corrupted.push(id);
          return;
        }
        if (attempt >= ATTEMPTS) {
          tally.failed.push({ id, reason: err instanceof Error ? err.message : String(err) });
          return;
        }
      }
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: run.parallel ?? PARALLEL }, async () => {
      while (next < run.ids.length) {
        await one(run.ids[next++]!);
        run.progress?.(tally, run.ids.length);
      }
    }),
  );
  return tally;
}

/** Every blob id of a store, sorted (a resumed run walks them in the same order). */
export async function listIds(endpoint: BlobEndpoint): Promise<string[]> {
  const ids: string[] = [];
  for await (const b of endpoint.list()) ids.push(b.id);
  return ids.sort();
}
