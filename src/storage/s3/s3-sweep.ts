import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { listObjects } from './s3-client.js';
import type { S3Keys } from './s3-keys.js';
import type { S3Owners } from './s3-owners.js';

/** Multipart uploads older than this with no marker of a live process are aborted (no write of Nimbus takes a day). */
const LOST_UPLOAD_MS = 24 * 3600 * 1000;

export interface SweepDeps {
  client: S3Client;
  bucket: string;
  keys: S3Keys;
  owners: S3Owners;
}

export interface StagingOwner {
  owner: string;
  markers: Array<{ id: string; at: number }>;
}

/** Every owner with markers under staging/, with its markers (the layout of `s3-keys.ts`). */
export async function listStaging(d: Pick<SweepDeps, 'client' | 'bucket' | 'keys'>): Promise<StagingOwner[]> {
  const byOwner = new Map<string, StagingOwner>();
  for await (const o of listObjects(d.client, d.bucket, d.keys.staging)) {
    const [segment, id] = o.Key!.slice(d.keys.staging.length).split('/');
    if (!segment || !id) continue;
    const owner = d.keys.ownerOf(segment);
    let entry = byOwner.get(owner);
    if (!entry) byOwner.set(owner, (entry = { owner, markers: [] }));
    entry.markers.push({ id, at: o.LastModified?.getTime() ?? 0 });
  }
  return [...byOwner.values()];
}

/**
 * Settles what processes that are gone left: for each of their markers the
 * blob is kept when a row references it (killed between its commit and the
 * marker's removal), else its object and any unfinished multipart upload to
 * its key are deleted; then the marker goes. Several processes may sweep at
 * once: a gone owner writes nothing more, so they all decide alike, and every
 * step (delete, abort) may be repeated. Returns how many blobs were dropped.
 */
export async function sweepS3Staging(d: SweepDeps, referenced: (blobIds: string[]) => Promise<Set<string>>): Promise<number> {
  await d.owners.refresh();
  let dropped = 0;
  const live = new Set<string>();
  for (const { owner, markers } of await listStaging(d)) {
    const newest = Math.max(...markers.map((m) => m.at));
    if (owner === d.owners.owner || !d.owners.gone(owner, newest)) {
      for (const m of markers) live.add(m.id);
      continue;
    }
    const used = await referenced(markers.map((m) => m.id));
    for (const { id } of markers) {
      if (!used.has(id)) {
        await abortUploads(d, d.keys.blob(id), 0);
        await d.client.send(new DeleteObjectCommand({ Bucket: d.bucket, Key: d.keys.blob(id) }));
        dropped++;
      }
      await d.client.send(new DeleteObjectCommand({ Bucket: d.bucket, Key: d.keys.marker(owner, id) }));
    }
  }
  // Owners gone with nothing staged: only their heartbeats are left.
  for (const [owner, at] of await d.owners.refresh()) if (owner !== d.owners.owner && d.owners.gone(owner, at)) await d.owners.forget(owner);
  await abortLostUploads(d, live);
  return dropped;
}

/** Aborts the multipart uploads to a key (or under a prefix) begun before `before` (0: all). */
async function abortUploads(d: SweepDeps, prefix: string, before: number, keep: (key: string) => boolean = () => false): Promise<void> {
  let keyMarker: string | undefined;
  let idMarker: string | undefined;
  do {
    const page = await d.client.send(new ListMultipartUploadsCommand({ Bucket: d.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }));
    for (const u of page.Uploads ?? []) {
      if (before && (u.Initiated?.getTime() ?? 0) >= before) continue;
      if (keep(u.Key!)) continue;
      await d.client.send(new AbortMultipartUploadCommand({ Bucket: d.bucket, Key: u.Key!, UploadId: u.UploadId! })).catch(() => undefined);
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
}

/** Unfinished multipart uploads that no live marker covers and that are a day old (a marker lost by an operator, or a gateway that kept an aborted upload). */
function abortLostUploads(d: SweepDeps, live: Set<string>): Promise<void> {
  return abortUploads(d, d.keys.blobs, Date.now() - LOST_UPLOAD_MS, (key) => {
    const id = d.keys.blobIdOf(key);
    return id !== null && live.has(id);
  });
}
