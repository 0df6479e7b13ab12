import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { TrashBin, type TrashItem } from '../api/trash.js';
import { ErrorBanner } from '../error-banner.js';
import { fullDate, humanDate, humanSize } from '../format.js';
import type { ViewProps } from '../views.js';
import { ConfirmDialog } from './dialogs.js';
import { iconName, iconUrl } from './icons.js';

type Pending = { kind: 'delete'; item: TrashItem } | { kind: 'empty' };

/**
 * Deleted files (Nextcloud's Deleted files view): what the user deleted from
 * their files, newest first, to restore to where it was or delete for good,
 * one by one or all at once. Items older than the retention time go by themselves.
 */
export function TrashView({ me, refreshMe }: ViewProps) {
  const bin = useMemo(() => new TrashBin(me.id), [me.id]);
  const [items, setItems] = useState<TrashItem[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () => bin.list().then((list) => setItems(list.sort((a, b) => b.deletedAt - a.deletedAt))).catch(fail);
  useEffect(() => {
    void reload();
  }, [bin]);
  const run = async (action: () => Promise<void>) => {
    setPending(null);
    try {
      await action();
    } catch (err) {
      fail(err);
    }
    refreshMe();
    await reload();
  };

  return (
    <div class="screen">
      <main class="content">
        <div class="toolbar">
          <h1 class="crumbs">Deleted files</h1>
          {items !== null && items.length > 0 && (
            <button type="button" class="danger" onClick={() => setPending({ kind: 'empty' })}>Empty trash</button>
          )}
        </div>
        <ErrorBanner message={message} onDismiss={() => setMessage(null)} />
        {items === null ? <p class="loading">Loading…</p> : items.length === 0 ? (
          <p class="empty">The trash is empty. Deleted files and folders show up here until they are deleted for good.</p>
        ) : (
          <ul class="trash" aria-label="Deleted files">
            {items.map((item) => (
              <li key={item.key} data-name={item.name}>
                <img src={iconUrl(iconName(item.mime, { folder: item.folder, shared: false }))} alt="" width="32" height="32" />
                <span class="name">{item.name}</span>
                <span class="where" title={`/${item.originalLocation}`}>{'/' + item.originalLocation.split('/').slice(0, -1).join('/')}</span>
                <span class="size">{humanSize(item.size)}</span>
                <span class="modified" title={fullDate(item.deletedAt)}>{humanDate(item.deletedAt)}</span>
                <button type="button" aria-label={`Restore ${item.name}`} onClick={() => void run(() => bin.restore(item))}>Restore</button>
                <button type="button" class="danger" aria-label={`Delete ${item.name} for good`} onClick={() => setPending({ kind: 'delete', item })}>Delete for good</button>
              </li>
            ))}
          </ul>
        )}
      </main>
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete "${pending.item.name}" for good?`}
          message="It leaves the trash and cannot be restored."
          action="Delete for good"
          onClose={() => setPending(null)}
          onConfirm={() => void run(() => bin.remove(pending.item))}
        />
      )}
      {pending?.kind === 'empty' && (
        <ConfirmDialog
          title="Empty the trash?"
          message="Every item in the trash is deleted for good and cannot be restored."
          action="Empty trash"
          onClose={() => setPending(null)}
          onConfirm={() => void run(() => bin.empty())}
        />
      )}
    </div>
  );
}
