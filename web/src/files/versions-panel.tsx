import { useEffect, useState } from 'preact/hooks';
import type { Entry } from '../api/dav.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { listVersions, restoreVersion, type Version } from '../api/versions.js';
import { fullDate, humanSize } from '../format.js';
import './versions.css';

/**
 * The "Versions" section of a file's details: its earlier contents, newest
 * first, each downloadable and, where the caller may change the file
 * (W in oc:permissions), restorable.
 */
export function VersionsPanel({ user, entry, onChanged }: { user: string; entry: Entry; onChanged(): void }) {
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canRestore = entry.permissions.includes('W');

  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setProblem(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () => listVersions(user, entry.fileId).then(setVersions).catch(fail);

  useEffect(() => {
    setVersions(null);
    setProblem(null);
    void reload();
  }, [entry.fileId, entry.etag]);

  const restore = async (v: Version) => {
    setBusy(true);
    setProblem(null);
    try {
      await restoreVersion(user, v);
      onChanged();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
      await reload();
    }
  };

  return (
    <section class="versions" aria-labelledby="versions-title">
      <h3 id="versions-title">Versions</h3>
      {problem && <p class="field-error" role="alert">{problem}</p>}
      {versions === null && !problem && <p class="muted">Loading…</p>}
      {versions !== null && versions.every((v) => v.current) && <p class="muted">No earlier versions.</p>}
      {versions !== null && versions.length > 0 && (
        <ul class="version-list">
          {versions.map((v) => (
            <li key={v.revision} class={v.current ? 'current' : undefined}>
              <span class="version-when">{v.current ? 'Current version' : fullDate(v.modified)}</span>
              <span class="version-size">{humanSize(v.size)}</span>
              {v.label && <span class="version-label">{v.label}</span>}
              {v.author && <span class="muted">by {v.author}</span>}
              <a href={v.url} download aria-label={`Download the version of ${fullDate(v.modified)}`}>Download</a>
              {canRestore && !v.current && (
                <button type="button" disabled={busy} onClick={() => void restore(v)} aria-label={`Restore the version of ${fullDate(v.modified)}`}>
                  Restore
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
