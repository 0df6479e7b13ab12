import { type DavTree, type Progress, putWithProgress } from './dav.js';
import { ApiError, BASE, call } from './http.js';
import { davError } from './errors.js';
import { type TusSupport, tusUpload, type UploadNote } from './tus.js';

/** Files above this go up in chunks (Nextcloud chunking v2), so no single request carries more than one chunk. */
export const CHUNK_SIZE = 10 * 1024 * 1024;
const CHUNKS_PER_FILE = 50;

/**
 * What the server announces in capabilities (`files.chunked_upload`), read
 * as Nextcloud's own uploader reads them: the largest chunk (Nextcloud's
 * default max_chunk_size, 100 MiB) and how many chunks go at once. Several
 * at once keep the connection busy between chunks; in Chromium the upload
 * also runs measurably faster with 5 than with 3.
 */
const limits = { maxChunkSize: 100 * 1024 * 1024, parallel: 5 };

export function announceUploadLimits(announced: { max_size?: number; max_parallel_count?: number } | undefined): void {
  if (announced?.max_size && announced.max_size >= CHUNK_SIZE) limits.maxChunkSize = announced.max_size;
  if (announced?.max_parallel_count && announced.max_parallel_count >= 1) limits.parallel = Math.min(10, Math.floor(announced.max_parallel_count));
}

/** The chunk size for a file: 10 MiB, or 1/50 of the file up to the largest chunk, in whole MiB. */
export function chunkSizeFor(size: number): number {
  const mib = 1024 * 1024;
  return Math.min(limits.maxChunkSize, Math.max(CHUNK_SIZE, Math.ceil(size / CHUNKS_PER_FILE / mib) * mib));
}

/** Set when the server announces tus (`files.tus_support`): uploads then go over tus and resume after a dropped connection. */
let tus: TusSupport | null = null;

export function announceTus(announced: TusSupport | undefined): void {
  tus = announced && announced.version ? announced : null;
}

function errorOf(status: number, body: string, action: string): Promise<ApiError> {
  return davError(new Response(body, { status }), action);
}

/**
 * Uploads one file to `path` in `tree`. Over tus when the server announces
 * it (tus.ts): resumable, an existing file at the path is replaced, as a
 * tus upload replaces it on oCIS. Otherwise one PUT when small, else Nextcloud's
 * chunking v2 (MKCOL an upload folder, PUT numbered chunks, a few at once,
 * sliced from the File so the tab never holds the file, MOVE `.file` into place).
 * `overwrite: false` sends If-None-Match so a name taken meanwhile is refused.
 */
export async function uploadFile(
  user: string,
  tree: DavTree,
  path: string[],
  file: File,
  overwrite: boolean,
  onProgress: Progress,
  signal: AbortSignal,
  onNote: (note: UploadNote) => void = () => undefined,
): Promise<void> {
  if (tus) return tusUpload(tus, tree, path, file, onProgress, onNote, signal);
  const target = tree.url(path);
  const mtime = String(Math.floor(file.lastModified / 1000));
  const guard: Record<string, string> = overwrite ? {} : { 'If-None-Match': '*' };
  if (file.size <= CHUNK_SIZE) {
    const res = await putWithProgress(target, file, { 'Content-Type': 'application/octet-stream', 'X-OC-MTime': mtime, ...guard }, onProgress, signal);
    if (res.status !== 201 && res.status !== 204) throw await errorOf(res.status, res.body, 'upload this file');
    return;
  }
  const destination = new URL(target, location.href).href;
  const folder = `${BASE}/remote.php/dav/uploads/${encodeURIComponent(user)}/web-${crypto.randomUUID()}`;
  const common = { Destination: destination, 'OC-Total-Length': String(file.size) };
  const made = await call({ method: 'MKCOL', url: folder, headers: common, signal });
  if (made.status !== 201) throw await davError(made, 'start the upload');
  try {
    // Each chunk is a slice of the File (a reference, not a copy): only the chunks in flight are read, by the browser, as they are sent.
    const size = chunkSizeFor(file.size);
    const count = Math.ceil(file.size / size);
    const loaded = new Array<number>(count).fill(0);
    const report = () => onProgress(loaded.reduce((a, b) => a + b, 0));
    // A failed chunk stops the others: `stop` ends their requests too, and the failure, not their aborts, is reported.
    const stop = new AbortController();
    signal.addEventListener('abort', () => stop.abort(), { once: true });
    let failure: unknown;
    let next = 0;
    const worker = async () => {
      while (next < count && !stop.signal.aborted) {
        const i = next++;
        const chunk = file.slice(i * size, Math.min(file.size, (i + 1) * size));
        const res = await putWithProgress(`${folder}/${i + 1}`, chunk, { ...common, 'Content-Type': 'application/octet-stream' }, (s) => { loaded[i] = s; report(); }, stop.signal);
        if (res.status !== 201 && res.status !== 204) throw await errorOf(res.status, res.body, 'upload this file');
        loaded[i] = chunk.size;
        report();
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(limits.parallel, count) }, () =>
        worker().catch((err: unknown) => {
          if (failure === undefined && !signal.aborted) failure = err;
          stop.abort();
        }),
      ),
    );
    if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    if (failure !== undefined) throw failure;
    const done = await call({ method: 'MOVE', url: `${folder}/.file`, headers: { ...common, 'X-OC-MTime': mtime, ...guard }, signal });
    if (done.status !== 201 && done.status !== 204) throw await davError(done, 'finish the upload');
  } catch (err) {
    // A cancelled or failed upload leaves no chunks behind.
    await call({ method: 'DELETE', url: folder }).catch(() => undefined);
    throw err;
  }
}
