import { useEffect, useMemo, useState } from 'preact/hooks';
import { DavTree, type Entry } from '../api/dav.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { ErrorBanner } from '../error-banner.js';
import { fullDate, humanDate, humanSize } from '../format.js';
import { navigate, useRoute } from '../router.js';
import type { ViewProps } from '../views.js';
import { EntryIcon } from './entry-icon.js';

/**
 * Search results for `?view=search&q=…`: names containing the term in the
 * user's files and the shares they received (WebDAV SEARCH), newest first.
 * A folder opens in All files; a file opens its folder with it selected.
 */
export function SearchView({ me }: ViewProps) {
  const tree = useMemo(() => DavTree.personal(me.id), [me.id]);
  const term = (useRoute().get('q') ?? '').trim();
  const [results, setResults] = useState<Entry[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    setResults(null);
    setMessage(null);
    if (!term) return setResults([]);
    let current = true;
    tree
      .search(me.id, term)
      .then((found) => current && setResults(found))
      .catch((err: unknown) => {
        if (err instanceof SignedOut) return signInAgain();
        if (current) setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
      });
    return () => {
      current = false;
    };
  }, [tree.root, term]);

  const where = (e: Entry) => '/' + e.path.slice(0, -1).join('/');
  return (
    <div class="screen">
      <main class="content">
        <h1 class="crumbs">{term ? `Results for “${term}”` : 'Search'}</h1>
        <ErrorBanner message={message} onDismiss={() => setMessage(null)} />
        {results === null ? (
          <p class="loading">Searching…</p>
        ) : results.length === 0 ? (
          <p class="empty">{term ? 'Nothing in your files has a name with that in it.' : 'Type a name in the search box.'}</p>
        ) : (
          <ul class="favorites" aria-label="Search results">
            {results.map((e) => (
              <li key={e.path.join('/')} data-name={e.name}>
                <EntryIcon entry={e} fileUrl={tree.url(e.path)} />
                {e.folder ? (
                  <button type="button" class="link" onClick={() => navigate({ dir: '/' + e.path.join('/') })}>{e.name}</button>
                ) : (
                  <a href={tree.url(e.path)} download={e.name}>{e.name}</a>
                )}
                <button type="button" class="link where" onClick={() => navigate({ dir: where(e) })} aria-label={`Open the folder of ${e.name}`}>{where(e)}</button>
                <span class="size">{humanSize(e.size)}</span>
                <span class="modified" title={fullDate(e.modified)}>{humanDate(e.modified)}</span>
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
