import { type DetailedError, Upload } from 'tus-js-client';
import type { DavTree, Progress } from './dav.js';
import { davError } from './errors.js';
import { ApiError, authHeaders, SignedOut } from './http.js';

/** What the server announces in capabilities as `files.tus_support` (oCIS's frontend service). */
export interface TusSupport {
  version?: string;
  extension?: string;
  max_chunk_size?: number;
  http_method_override?: string;
}

/** How an upload is doing besides its progress, in words for the upload panel; null while bytes flow. */
export type UploadNote = string | null;

/** tus-js-client's own quick retries of a failed request while the browser says it is online. */
const QUICK_RETRIES = [0, 1000, 3000, 5000];
/** Then the app's: it waits for the network, or this long (doubling from the first), and resumes from the server's offset, until cancelled. */
const WAIT_FIRST = 2000;
const WAIT_MOST = 30_000;

const statusOf = (err: DetailedError | Error): number => ('originalResponse' in err && err.originalResponse ? err.originalResponse.getStatus() : 0);
const methodOf = (err: DetailedError | Error): string => ('originalRequest' in err && err.originalRequest ? err.originalRequest.getMethod() : '');

/** What a server that is down, restarting or behind a proxy answers meanwhile (0: no answer at all). */
const UNREACHABLE = new Set([0, 500, 502, 503, 504]);

/**
 * A refusal the server meant (403 no permission, 507 no room, 413, 401…),
 * as opposed to a lost connection or a server that is down or restarting,
 * after which the upload waits and resumes. A 409 or 423 on PATCH means the
 * offset moved (another tab, a lost answer): the upload asks the server for
 * its offset again, as tus-js-client does by default.
 */
function refused(err: DetailedError | Error): boolean {
  const status = statusOf(err);
  if (UNREACHABLE.has(status)) return false;
  if ((status === 409 || status === 423) && methodOf(err) !== 'POST') return false;
  return true;
}

async function wordsFor(err: DetailedError | Error): Promise<ApiError> {
  const status = statusOf(err);
  if (status === 401) return new SignedOut('Your session has ended. Sign in again.', 401);
  const body = 'originalResponse' in err && err.originalResponse ? err.originalResponse.getBody() : '';
  return davError(new Response(body || null, { status }), 'upload this file');
}

/**
 * Uploads one file over tus (the resumable upload protocol oCIS speaks), as
 * ownCloud Web does with tus-js-client: creation by POST on the folder with
 * the name in Upload-Metadata, the bytes in PATCHes of the announced
 * max_chunk_size, and POST with X-HTTP-Method-Override when the server asks
 * for it (useUpload/uppyService in owncloud/web).
 *
 * A dropped connection or a restarting server does not end the upload: after
 * tus-js-client's quick retries it waits for the browser to be online again
 * (or a growing delay), says so through `onNote`, and resumes from the offset
 * the server reports. The upload's URL is kept in localStorage under a
 * fingerprint of the target and the file, so choosing the same file again
 * after a reload resumes it too; the entry goes once the upload is done.
 * Cancelling ends the upload on the server (DELETE).
 */
export async function tusUpload(
  support: TusSupport,
  tree: DavTree,
  path: string[],
  file: File,
  onProgress: Progress,
  onNote: (note: UploadNote) => void,
  signal: AbortSignal,
): Promise<void> {
  const headers = await authHeaders('POST');
  const target = new URL(tree.url(path), location.href).href;
  const folder = new URL(tree.url(path.slice(0, -1)), location.href).href;
  const chunkSize = support.max_chunk_size && support.max_chunk_size > 0 ? support.max_chunk_size : Infinity;

  return new Promise<void>((resolve, reject) => {
    let waiting: ReturnType<typeof setTimeout> | undefined;
    let delay = WAIT_FIRST;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(waiting);
      removeEventListener('online', resume);
      if (err === undefined) resolve();
      else reject(err);
    };
    const resume = () => {
      if (done) return;
      clearTimeout(waiting);
      removeEventListener('online', resume);
      onNote('Resuming…');
      upload.start();
    };
    const upload = new Upload(file, {
      endpoint: folder,
      chunkSize,
      retryDelays: QUICK_RETRIES,
      metadata: { filename: path[path.length - 1]!, filetype: file.type || 'application/octet-stream', mtime: String(Math.floor(file.lastModified / 1000)) },
      headers,
      overridePatchMethod: !!support.http_method_override,
      // Not the bytes with the POST even where `creation-with-upload` is announced: a refusal (507, 403) answered before
      // the body is read reaches the browser as a broken connection, not as the refusal (tus-js-client issue 397, which is
      // why owncloud/web's uppyService long kept it off).
      uploadDataDuringCreation: false,
      // One entry per target and file: the same file chosen again for the same place resumes, another place starts anew.
      fingerprint: async () => ['nimbus-tus', target, file.size, file.lastModified].join('|'),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onShouldRetry: (err, attempt) => {
        if (refused(err) || !navigator.onLine) return false;
        onNote(`Connection lost. Retrying (attempt ${attempt + 1})…`);
        return true;
      },
      onProgress: (sent) => {
        delay = WAIT_FIRST;
        onNote(null);
        onProgress(sent);
      },
      onSuccess: () => finish(),
      onError: (err) => {
        if (done || signal.aborted) return;
        if (refused(err)) {
          void wordsFor(err).then(finish);
          return;
        }
        if (!navigator.onLine) {
          onNote('You are offline. The upload continues when the connection is back.');
          addEventListener('online', resume);
          return;
        }
        onNote(`Cannot reach the server. Trying again in ${Math.round(delay / 1000)} s…`);
        waiting = setTimeout(resume, delay);
        delay = Math.min(WAIT_MOST, delay * 2);
      },
    });
    signal.addEventListener(
      'abort',
      () => {
        finish(new DOMException('Cancelled', 'AbortError'));
        // Terminates the upload on the server and forgets its URL.
        void upload.abort(true).catch(() => undefined);
      },
      { once: true },
    );
    void upload
      .findPreviousUploads()
      .then((previous) => {
        if (done) return;
        const last = previous.sort((a, b) => (a.creationTime < b.creationTime ? 1 : -1))[0];
        if (last) upload.resumeFromPreviousUpload(last);
        upload.start();
      })
      .catch((err: unknown) => finish(err instanceof ApiError ? err : new ApiError('The upload could not start.', 0)));
  });
}
