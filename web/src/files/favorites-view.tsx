import { useEffect, useMemo, useState } from 'preact/hooks';
import { DavTree, type Entry } from '../api/dav.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { fullDate, humanDate, humanSize } from '../format.js';
import { navigate } from '../router.js';
import type { ViewProps } from '../views.js';
import { FavoriteButton } from './favorite-button.js';
import { sortEntries } from './file-table.js';
import { EntryIcon } from './entry-icon.js';
import { ErrorBanner } from '../error-banner.js';

/**
 * The user's favorites (Nextcloud's Favorites view): what they starred in
 * their files and in shares they received, found with REPORT
 * oc:filter-files. A folder opens in All files; a file downloads.
 */
export function FavoritesView({ me }: ViewProps) {
  const tree = useMemo(() => DavTree.personal(me.id), [me.id]);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () => tree.favorites().then(setEntries).catch(fail);
  useEffect(() => {
    void reload();
  }, [tree.root]);
  const sorted = entries ? sortEntries(entries, { key: 'name', ascending: true }) : [];

  return (
    <div class="screen">
      <main class="content">
        <h1 class="crumbs">Favourites</h1>
        <ErrorBanner message={message} onDismiss={() => setMessage(null)} />
        {entries === null ? <p class="loading">Loading…</p> : sorted.length === 0 ? (
          <p class="empty">No favourites yet. Files and folders you mark with a star show up here.</p>
        ) : (
          <ul class="favorites" aria-label="Favourites">
            {sorted.map((e) => (
              <li key={e.path.join('/')} data-name={e.name}>
                <EntryIcon entry={e} fileUrl={tree.url(e.path)} />
                {e.folder ? (
                  <button type="button" class="link" onClick={() => navigate({ dir: '/' + e.path.join('/') })}>{e.name}</button>
                ) : (
                  <a href={tree.url(e.path)} download={e.name}>{e.name}</a>
                )}
                <span class="where">{'/' + e.path.slice(0, -1).join('/')}</span>
                <span class="size">{humanSize(e.size)}</span>
                <span class="modified" title={fullDate(e.modified)}>{humanDate(e.modified)}</span>
                <FavoriteButton tree={tree} entry={e} onChanged={() => void reload()} onError={fail} />
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
