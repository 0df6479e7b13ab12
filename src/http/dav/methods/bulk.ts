import { Readable } from 'node:stream';
import { DomainError } from '../../../domain/errors.js';
import { assertValidPath } from '../../../domain/file-names.js';
import type { FileNode } from '../../../domain/node.js';
import type { WriteBatch, WriteOptions } from '../../../services/access/files.contract.js';
import type { DavCall, SpaceTarget } from '../context.js';
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
 * written atomically with the rules of a PUT (quota, locks, permissions, the
 * MD5 checked before it becomes visible), small ones committed in groups by
 * the files service's batch, and the answer maps every path to its etag,
 * fileid and permissions or to its error. Nextcloud stops the whole request at a
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
  // Small files are held in memory and handed to one batch, which commits them in groups (FilesService.batch).
  const batch = call.files.batch();
  const outcomes: Array<Promise<void>> = [];
  const settle = async () => {
    await batch.flush();
    const results = await Promise.allSettled(outcomes.splice(0));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
      const path = part.headers['x-file-path'] ?? '';
      if (!(path in written)) written[path] = null; // the answer lists paths in the order they came
      const record = (result: Written) => {
        written[path] = result;
      };
      if (part.length > HELD_PART_BYTES) {
        // A large part streams to its file while the request is read, once the small ones before it are done.
        await settle();
        record(await outcomeOf(streamPart(call, part)));
        await reader.finishPart();
        continue;
      }
      const bytes = await collect(part.body);
      await reader.finishPart();
      // Checked and handed over in the order the parts came (the batch commits in that order); committed later.
      const { outcome } = await batchPart(call, batch, part, bytes);
      outcomes.push(outcomeOf(outcome).then(record));
    }
    await settle();
  } catch (err) {
    await settle().catch(() => undefined);
    if (!(err instanceof MalformedMultipart)) throw err;
    return call.reply.code(400).type('application/json; charset=utf-8').send(JSON.stringify({ ...settled(written), message: err.message }));
  }
  return call.reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(settled(written)));
}

/** Parts up to this size are read into memory and committed in groups; larger ones stream. */
const HELD_PART_BYTES = 1024 * 1024;

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

interface PreparedPart {
  t: SpaceTarget;
  opts: WriteOptions;
}

/** The DAV-level checks of one part (its headers, the place, a folder there, locks), before its bytes go anywhere. */
async function preparePart(call: DavCall, part: RelatedPart): Promise<PreparedPart> {
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
  return { t, opts: { expectedSize: part.length, mtime, checksum: `MD5:${md5}` } };
}

const answerOf = (call: DavCall, t: SpaceTarget, node: FileNode): Written => ({
  error: false,
  etag: node.etag,
  fileid: ocId(node.fileId, call.deps.env.instanceId),
  permissions: permissionLetters(node, t.access, false),
});

/** Answers once the batch has taken the part (or it was refused), with its outcome to await. */
async function batchPart(call: DavCall, batch: WriteBatch, part: RelatedPart, bytes: Buffer): Promise<{ outcome: Promise<Written> }> {
  let prepared: PreparedPart;
  try {
    prepared = await preparePart(call, part);
  } catch (err) {
    const refused = Promise.reject(err);
    refused.catch(() => undefined); // handled by the caller, a moment later
    return { outcome: refused };
  }
  const { t, opts } = prepared;
  const { outcome } = await batch.add(t.place, bytes, opts);
  return { outcome: outcome.then((r) => answerOf(call, t, r.node)) };
}

async function streamPart(call: DavCall, part: RelatedPart): Promise<Written> {
  const { t, opts } = await preparePart(call, part);
  const body = Readable.from(part.body);
  try {
    return answerOf(call, t, (await call.files.write(t.place, body, opts)).node);
  } finally {
    // Refused before its bytes were read: they stay for the reader to skip, never read by two at once.
    body.destroy();
  }
}
