import { useEffect, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { acceptShare, declineShare, pendingShares, receivedShares, SHARE_TYPE, type Share } from '../api/shares.js';
import { hrefOf, navigate } from '../router.js';
import type { ViewProps } from '../views.js';
import './sharing.css';

const segments = (path: string): string[] => path.split('/').filter(Boolean);

/** Where an item opens in the personal files: a folder itself, a file its folder. */
export function placeOf(s: Share): Record<string, string> {
  const parts = segments(s.path);
  return { dir: '/' + (s.item_type === 'folder' ? parts : parts.slice(0, -1)).join('/') };
}

const from = (s: Share): string => (s.share_type === SHARE_TYPE.group ? `${s.displayname_owner} (via ${s.share_with_displayname ?? s.share_with ?? 'a group'})` : s.displayname_owner);

const nameOf = (s: Share): string => segments(s.path).pop() ?? s.path;

/** Shares to answer: pending ones (Accept or Decline), or declined ones, which can still be accepted. */
function Answerable({ title, id, shares, busy, answer, decline }: { title: string; id: string; shares: Share[]; busy: string | null; answer(s: Share, accept: boolean): void; decline: boolean }) {
  if (shares.length === 0) return null;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul class="share-list">
        {shares.map((s) => (
          <li key={s.id} class="share-row" data-share={s.id}>
            <div class="share-who">
              <strong>{nameOf(s)}</strong>
              <span class="muted-small">{s.item_type === 'folder' ? 'Folder' : 'File'} from {from(s)}</span>
            </div>
            <div class="share-controls">
              <button type="button" class="primary" disabled={busy === s.id} aria-label={`Accept ${nameOf(s)}`} onClick={() => answer(s, true)}>Accept</button>
              {decline && <button type="button" disabled={busy === s.id} aria-label={`Decline ${nameOf(s)}`} onClick={() => answer(s, false)}>Decline</button>}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "Shared with me" (`?view=sharingin`): pending shares to accept or decline, declined ones to accept after all, and those already in the files. */
export function SharedWithMe(_: ViewProps) {
  const [pending, setPending] = useState<Share[] | null>(null);
  const [received, setReceived] = useState<Share[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setProblem(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () =>
    Promise.all([pendingShares(), receivedShares()])
      .then(([p, r]) => {
        setPending(p);
        setReceived(r.filter((s) => s.state === undefined || s.state === 0));
      })
      .catch(fail);
  useEffect(() => void reload(), []);

  const answer = async (s: Share, accept: boolean) => {
    setBusy(s.id);
    setProblem(null);
    try {
      await (accept ? acceptShare(s.id) : declineShare(s.id));
    } catch (err) {
      fail(err);
    }
    setBusy(null);
    await reload();
  };

  return (
    <main class="content share-screen">
      <h1>Shared with me</h1>
      {problem && <p class="banner error" role="alert">{problem}</p>}
      {pending === null || received === null ? <p class="loading">Loading…</p> : (
        <>
          <Answerable title="Waiting for you" id="pending-title" shares={pending.filter((s) => s.state !== 2)} busy={busy} answer={answer} decline />
          <Answerable title="Declined" id="declined-title" shares={pending.filter((s) => s.state === 2)} busy={busy} answer={answer} decline={false} />
          <section aria-labelledby="received-title">
            <h2 id="received-title">In your files</h2>
            {received.length === 0 ? <p class="muted">Nothing has been shared with you yet.</p> : (
              <ul class="share-list">
                {received.map((s) => (
                  <li key={s.id} class="share-row">
                    <div class="share-who">
                      <a href={hrefOf(placeOf(s))} onClick={(e) => { e.preventDefault(); navigate(placeOf(s)); }}>{s.path}</a>
                      <span class="muted-small">{s.item_type === 'folder' ? 'Folder' : 'File'} from {from(s)}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </main>
  );
}
