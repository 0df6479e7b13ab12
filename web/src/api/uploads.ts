import { type DavTree, type Progress, putWithProgress } from './dav.js';
import { ApiError, BASE, call } from './http.js';
import { davError } from './errors.js';

/** Files above this go up in chunks (Nextcloud chunking v2), so no single request carries more than one chunk. */
export const CHUNK_SIZE = 10 * 1024 * 1024;

function errorOf(status: number, body: string, action: string): Promise<ApiError> {
  return davError(new Response(body, { status }), action);
}

/**
 * Uploads one file to `path` in `tree`: one PUT when small, else Nextcloud's
 * chunking v2 (MKCOL an upload folder, PUT numbered chunks sliced from the
 * File so the tab never holds more than a chunk, MOVE `.file` into place).
 * `overwrite: false` sends If-None-Match so a name taken meanwhile is refused.
 */
export async function uploadFile(user: string, tree: DavTree, path: string[], file: File, overwrite: boolean, onProgress: Progress, signal: AbortSignal): Promise<void> {
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
    let sent = 0;
    for (let n = 1, offset = 0; offset < file.size; n++, offset += CHUNK_SIZE) {
      const chunk = file.slice(offset, Math.min(file.size, offset + CHUNK_SIZE));
      const res = await putWithProgress(`${folder}/${n}`, chunk, { ...common, 'Content-Type': 'application/octet-stream' }, (s) => onProgress(sent + s), signal);
      if (res.status !== 201 && res.status !== 204) throw await errorOf(res.status, res.body, 'upload this file');
      sent += chunk.size;
      onProgress(sent);
    }
    const done = await call({ method: 'MOVE', url: `${folder}/.file`, headers: { ...common, 'X-OC-MTime': mtime, ...guard }, signal });
    if (done.status !== 201 && done.status !== 204) throw await davError(done, 'finish the upload');
  } catch (err) {
    // A cancelled or failed upload leaves no chunks behind.
    await call({ method: 'DELETE', url: folder }).catch(() => undefined);
    throw err;
  }
}
