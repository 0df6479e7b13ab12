import { useEffect, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { outgoingShares, SHARE_TYPE, type Share } from '../api/shares.js';
import { hrefOf, navigate } from '../router.js';
import type { ViewProps } from '../views.js';
import { ACCESS_LABEL, accessOf, linkAccessOf } from './permissions.js';
import './sharing.css';

function withWhom(s: Share): string {
  if (s.share_type === SHARE_TYPE.link) return `${s.label || 'Public link'} · ${ACCESS_LABEL[linkAccessOf(s.permissions)]}${s.password ? ' · password' : ''}`;
  const who = s.share_with_displayname || s.share_with || '';
  const kind = s.share_type === SHARE_TYPE.group ? ' (group)' : '';
  return `${who}${kind} · ${ACCESS_LABEL[accessOf(s.permissions)]}`;
}

/** "Shared by me" (`?view=sharingout`): the caller's shares and links, each opening its item's folder. */
export function SharedByMe(_: ViewProps) {
  const [shares, setShares] = useState<Share[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    outgoingShares()
      .then(setShares)
      .catch((err: unknown) => {
        if (err instanceof SignedOut) return signInAgain();
        setProblem(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
      });
  }, []);
  const open = (s: Share) => ({ dir: '/' + s.path.split('/').filter(Boolean).slice(0, -1).join('/') });

  return (
    <main class="content share-screen">
      <h1>Shared by me</h1>
      {problem && <p class="banner error" role="alert">{problem}</p>}
      {shares === null ? (problem ? null : <p class="loading">Loading…</p>) : shares.length === 0 ? <p class="muted">You have not shared anything yet.</p> : (
        <ul class="share-list">
          {shares.map((s) => (
            <li key={s.id} class="share-row" data-share={s.id}>
              <div class="share-who">
                <a href={hrefOf(open(s))} onClick={(e) => { e.preventDefault(); navigate(open(s)); }}>{s.path}</a>
                <span class="muted-small">{withWhom(s)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
