import { Readable } from 'node:stream';
import { DomainError } from '../../../domain/errors.js';
import { assertValidPath } from '../../../domain/file-names.js';
import type { DavCall } from '../context.js';
import { DavError, methodNotAllowed } from '../errors.js';
import type { DavLocation } from '../location.js';
import { assertUnlocked } from '../locks.js';
import { MalformedMultipart, MultipartRelatedReader, type RelatedPart } from '../multipart-related.js';
import { ocId, permissionLetters } from '../props/oc.js';
import { clientMtime } from './put.js';

type Written = { error: false; etag: string; fileid: string; permissions: string } | { error: true; message: string };

/**
 * POST /remote.php/dav/bulk, Nextcloud's bulk upload (apps/dav BulkUploadPlugin),
 * which the desktop client uses for small files when capabilities announce
 * `dav.bulkupload`: a multipart/related body, each part a file of the
 * caller's home (X-File-Path, received shares mounted at its top) with
 * Content-Length, X-File-MD5 and X-File-Mtime (or X-OC-Mtime). Each file is
 * one ordinary write (its own commit, quota, locks, the MD5 checked before
 * it becomes visible), and the answer maps every path to its etag, fileid
 * and permissions or to its error. Nextcloud stops the whole request at a
 * wrong MD5; here only that file fails, as for any other per-file refusal,
 * since its Content-Length says where the next part begins. A body that is
 * not a bulk upload stops with 400 and the files written so far, as there.
 */
export async function bulk(call: DavCall): Promise<unknown> {
  if (call.request.method !== 'POST') throw methodNotAllowed(`${call.request.method} is not allowed on the bulk endpoint`, 'POST');
  const boundary = MultipartRelatedReader.boundaryOf(call.request.davContentType);
  if (!boundary) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'Content-Type must be multipart/related with a boundary');
  const reader = new MultipartRelatedReader(call.request.body as Readable, boundary);
  const written: Record<string, Written | null> = {};
  const writes = new Writes();
  try {
    for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
      const path = part.headers['x-file-path'] ?? '';
      if (!(path in written)) written[path] = null; // the answer lists paths in the order they came
      const record = (result: Written) => {
        written[path] = result;
      };
      if (part.length > HELD_PART_BYTES) {
        // A large part streams to its file while the request is read, once the small ones before it are done.
        await writes.settle();
        record(await outcomeOf(writePart(call, part, part.body)));
        await reader.finishPart();
        continue;
      }
      const bytes = await collect(part.body);
      await reader.finishPart();
      await writes.start((turn) => outcomeOf(writePart(call, part, [bytes], turn)).then(record));
    }
    await writes.settle();
  } catch (err) {
    await writes.settle().catch(() => undefined);
    if (!(err instanceof MalformedMultipart)) throw err;
    return call.reply.code(400).type('application/json; charset=utf-8').send(JSON.stringify({ ...settled(written), message: err.message }));
  }
  return call.reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(settled(written)));
}

/** Parts up to this size are read into memory and written several at once; larger ones stream. */
const HELD_PART_BYTES = 1024 * 1024;
/**
 * Small files written at once: each waits mostly on the file system (stage,
 * rename), so a few in flight overlap those waits; at most this many parts
 * (HELD_PART_BYTES each) are held per request.
 */
const WRITES_IN_FLIGHT = 8;

/**
 * The writes of one bulk request in flight: they stage their bytes at once
 * but commit one after the other in the order the parts came, so quota and
 * two parts for one path end as they would written one at a time.
 */
class Writes {
  private readonly running = new Set<Promise<void>>();
  private last: Promise<unknown> = Promise.resolve();

  async start(write: (turn: () => Promise<void>) => Promise<void>): Promise<void> {
    while (this.running.size >= WRITES_IN_FLIGHT) await Promise.race(this.running);
    const before = this.last;
    const turn = () => before.then(() => undefined, () => undefined);
    const run: Promise<void> = write(turn).finally(() => this.running.delete(run));
    run.catch(() => undefined); // seen by settle(); never an unhandled rejection meanwhile
    this.running.add(run);
    this.last = run;
  }

  /** Waits for every write; the first unexpected failure is thrown once all are done. */
  async settle(): Promise<void> {
    const results = await Promise.allSettled([...this.running]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** A refusal of one file is that file's answer; anything else stops the request. */
function outcomeOf(write: Promise<Written>): Promise<Written> {
  return write.catch((err: unknown) => {
    if (err instanceof MalformedMultipart || !(err instanceof DomainError || err instanceof DavError)) throw err;
    return { error: true as const, message: err.message };
  });
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function settled(written: Record<string, Written | null>): Record<string, Written> {
  return Object.fromEntries(Object.entries(written).filter((e): e is [string, Written] => e[1] !== null));
}

async function writePart(call: DavCall, part: RelatedPart, bytes: AsyncIterable<Buffer> | Buffer[], turn?: () => Promise<void>): Promise<Written> {
  const segments = (part.headers['x-file-path'] ?? '').split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'X-File-Path must name a file');
  assertValidPath(segments);
  const md5 = part.headers['x-file-md5']!.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'X-File-MD5 must be an MD5 digest in hex');
  const mtime = clientMtime(part.headers['x-file-mtime'] ?? part.headers['x-oc-mtime']);
  const loc: DavLocation = { family: 'files', base: `/remote.php/dav/files/${encodeURIComponent(call.userId)}`, ref: call.userId, path: segments };
  const t = await call.target(loc);
  const existing = await call.stat(t);
  if (existing?.type === 'folder') throw new DavError(409, 'Sabre\\DAV\\Exception\\Conflict', 'A folder exists at this path');
  await assertUnlocked(call, t, t.path, { membership: existing === null, descendants: false });
  const body = Readable.from(bytes);
  try {
    const { node } = await call.files.write(t.place, body, { expectedSize: part.length, mtime, checksum: `MD5:${md5}`, beforeCommit: turn });
    return { error: false, etag: node.etag, fileid: ocId(node.fileId, call.deps.env.instanceId), permissions: permissionLetters(node, t.access, false) };
  } finally {
    // Refused before its bytes were read: they stay for the reader to skip, never read by two at once.
    body.destroy();
  }
}
