/**
 * Where each kind of object lives in the bucket, under the configured prefix:
 *
 *   blobs/ab/cd/<id>           a blob's bytes (written once, never changed)
 *   derived/ab/cd/<id>/<key>   bytes made from it (previews), removed with it
 *   staging/<owner>/<id>       an empty marker: <id> is being written by <owner> and no row may hold it yet
 *   owners/<owner>             the owner's heartbeat, rewritten while the process lives
 *   uploads/<user hex>/<upload>/info, chunk-<name>   a chunked upload's declaration and chunks
 *   tus/<id>/record, state, seg-<start>-<token>, lock-<n>   a TUS upload (s3-tus-staging.ts)
 */
export const BLOB_ID = /^[0-9a-f]{32}$/;
const DERIVED_KEY = /^[a-z0-9][a-z0-9.-]{0,63}$/;

export class S3Keys {
  constructor(readonly prefix: string) {}

  blob(id: string): string {
    if (!BLOB_ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return `${this.prefix}blobs/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
  }

  get blobs(): string {
    return `${this.prefix}blobs/`;
  }

  /** The blob id a key of blobs/ names, or null for anything else. */
  blobIdOf(key: string): string | null {
    const m = /^blobs\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{32})$/.exec(key.slice(this.prefix.length));
    return m && m[3]!.startsWith(m[1]! + m[2]!) ? m[3]! : null;
  }

  derivedFolder(id: string): string {
    if (!BLOB_ID.test(id)) throw new Error(`not a blob id: ${id}`);
    return `${this.prefix}derived/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}/`;
  }

  derived(id: string, key: string): string {
    if (!DERIVED_KEY.test(key)) throw new Error(`not a derived key: ${key}`);
    return this.derivedFolder(id) + key;
  }

  get staging(): string {
    return `${this.prefix}staging/`;
  }

  stagingOf(owner: string): string {
    return `${this.staging}${encodeURIComponent(owner)}/`;
  }

  marker(owner: string, id: string): string {
    return this.stagingOf(owner) + id;
  }

  get owners(): string {
    return `${this.prefix}owners/`;
  }

  heartbeat(owner: string): string {
    return this.owners + encodeURIComponent(owner);
  }

  get uploads(): string {
    return `${this.prefix}uploads/`;
  }

  /** A chunked upload's folder; user ids may hold any character, hex keeps them distinct and harmless in a key. */
  upload(userId: string, uploadId: string): string {
    return `${this.uploads}${Buffer.from(userId, 'utf8').toString('hex')}/${uploadId}/`;
  }

  get tusUploads(): string {
    return `${this.prefix}tus/`;
  }

  tus(id: string): string {
    return `${this.tusUploads}${id}/`;
  }

  /** Whether a key belongs to an upload's staging (what the blob store may join into a blob). */
  isStagedUpload(key: string): boolean {
    return key.startsWith(this.uploads) || key.startsWith(this.tusUploads);
  }

  /** The owner a key of staging/ or owners/ names. */
  ownerOf(segment: string): string {
    return decodeURIComponent(segment);
  }
}
