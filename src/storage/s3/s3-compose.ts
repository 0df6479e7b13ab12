import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';

/** S3's bounds for the parts of a multipart upload: every part but the last at least 5 MiB, none over 5 GiB, at most 10,000. */
export const MIN_PART = 5 * 1024 ** 2;
export const MAX_PART = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
/** Parts copied at once: the gateway does the work, so a few in flight shorten the assembly without load here. */
const CONCURRENCY = 4;

/** A byte range [start, end) of an object. */
export interface Piece {
  key: string;
  start: number;
  end: number;
}

/** One part of the joined object: a range the gateway copies, or small pieces whose bytes pass through this process once. */
export type Part = { kind: 'copy'; piece: Piece } | { kind: 'stream'; pieces: Piece[] };

const lengthOf = (p: Piece): number => p.end - p.start;
export const partSize = (p: Part): number => (p.kind === 'copy' ? lengthOf(p.piece) : p.pieces.reduce((n, x) => n + lengthOf(x), 0));

/** A range as copy parts of at most MAX_PART, split evenly so no part but the last falls under MIN_PART. */
function copies(piece: Piece): Part[] {
  const n = Math.max(1, Math.ceil(lengthOf(piece) / MAX_PART));
  const step = Math.ceil(lengthOf(piece) / n);
  const out: Part[] = [];
  for (let s = piece.start; s < piece.end; s += step) out.push({ kind: 'copy', piece: { key: piece.key, start: s, end: Math.min(piece.end, s + step) } });
  return out;
}

/**
 * The parts that join the objects in order. An object of at least MIN_PART
 * is copied by the gateway (UploadPartCopy), so uploads of chunks of 5 MiB
 * or more, as Nextcloud chunking v2 requires (and its clients send, 10 MiB
 * and up), move no byte through this process. Smaller objects are gathered
 * into parts of at least MIN_PART whose bytes are read and sent once
 * (streamed, never held whole); when such a run ends just before a large
 * object, the run takes the head of it to reach MIN_PART and the rest of it
 * is still copied. So only the bytes of chunks under 5 MiB (and at most
 * 5 MiB of a large neighbour) ever pass through.
 */
export function planParts(objects: Array<{ key: string; size: number }>): Part[] {
  const out: Part[] = [];
  let run: Piece[] = [];
  let runSize = 0;
  const flush = () => {
    // A run of one piece is here either large enough or the last: a copy will do.
    if (run.length === 1) out.push(...copies(run[0]!));
    else if (run.length > 1) out.push({ kind: 'stream', pieces: run });
    run = [];
    runSize = 0;
  };
  for (const o of objects) {
    if (o.size === 0) continue;
    if (runSize === 0 && o.size >= MIN_PART) {
      out.push(...copies({ key: o.key, start: 0, end: o.size }));
      continue;
    }
    const take = MIN_PART - runSize;
    if (runSize > 0 && o.size - take >= MIN_PART) {
      run.push({ key: o.key, start: 0, end: take });
      flush();
      out.push(...copies({ key: o.key, start: take, end: o.size }));
      continue;
    }
    run.push({ key: o.key, start: 0, end: o.size });
    runSize += o.size;
    if (runSize >= MIN_PART) flush();
  }
  flush();
  return out;
}

function rangeOf(p: Piece): string {
  return `bytes=${p.start}-${p.end - 1}`;
}

/** The pieces' bytes in order, read range by range as the stream is consumed. */
function piecesStream(client: S3Client, bucket: string, pieces: Piece[]): Readable {
  async function* read() {
    for (const p of pieces) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: p.key, Range: rangeOf(p) }));
      yield* got.Body as Readable;
    }
  }
  return Readable.from(read(), { objectMode: false });
}

/**
 * Writes the objects, joined in order, to `to`: one CopyObject when a single
 * copy part does it, one PutObject for a single streamed part, else a
 * multipart upload, aborted on failure (the sweep aborts it if this process
 * dies first, since `to` is a blob key behind a staging marker).
 */
export async function composeObjects(client: S3Client, bucket: string, objects: Array<{ key: string; size: number }>, to: string): Promise<void> {
  const parts = planParts(objects);
  if (parts.length > MAX_PARTS) throw new RangeError(`${parts.length} parts are more than S3 takes`);
  const only = parts.length === 1 ? parts[0]! : null;
  if (parts.length === 0) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: to, Body: '', ContentLength: 0 }));
    return;
  }
  if (only?.kind === 'copy' && only.piece.start === 0 && objects.find((o) => o.key === only.piece.key)?.size === only.piece.end) {
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${only.piece.key}` }));
    return;
  }
  if (only?.kind === 'stream') {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: to, Body: piecesStream(client, bucket, only.pieces), ContentLength: partSize(only) }));
    return;
  }
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to }));
  try {
    const etags: string[] = new Array(parts.length);
    let next = 0;
    const worker = async () => {
      while (next < parts.length) {
        const i = next++;
        const part = parts[i]!;
        const common = { Bucket: bucket, Key: to, UploadId, PartNumber: i + 1 };
        if (part.kind === 'copy') {
          const r = await client.send(new UploadPartCopyCommand({ ...common, CopySource: `${bucket}/${part.piece.key}`, CopySourceRange: rangeOf(part.piece) }));
          etags[i] = r.CopyPartResult!.ETag!;
        } else {
          const r = await client.send(new UploadPartCommand({ ...common, Body: piecesStream(client, bucket, part.pieces), ContentLength: partSize(part) }));
          etags[i] = r.ETag!;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, parts.length) }, worker));
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => undefined);
    throw err;
  }
}
