import { useEffect, useState } from 'preact/hooks';
import type { DavTree, Entry } from '../api/dav.js';
import { ApiError } from '../api/http.js';
import { Modal } from './dialogs.js';

/** Picks a destination folder for move and copy, browsing the tree folder by folder. */
export function FolderPicker({ tree, title, action, start, onPick, onClose }: { tree: DavTree; title: string; action: string; start: string[]; onPick(path: string[]): void; onClose(): void }) {
  const [path, setPath] = useState(start);
  const [folders, setFolders] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setFolders(null);
    tree
      .list(path)
      .then((l) => setFolders(l.children.filter((e) => e.folder)))
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'This folder could not be opened.'));
  }, [tree, path.join('/')]);
  return (
    <Modal title={title} onClose={onClose}>
      <nav class="crumbs" aria-label="Destination">
        <button type="button" class="link" onClick={() => setPath([])}>All files</button>
        {path.map((seg, i) => (
          <span key={i}> / <button type="button" class="link" onClick={() => setPath(path.slice(0, i + 1))}>{seg}</button></span>
        ))}
      </nav>
      {error && <p class="field-error" role="alert">{error}</p>}
      <ul class="picker">
        {folders === null && !error && <li>Loading…</li>}
        {folders?.length === 0 && <li class="muted">No folders in here</li>}
        {folders?.map((f) => (
          <li key={f.name}><button type="button" class="link" onClick={() => setPath([...path, f.name])}>{f.name}</button></li>
        ))}
      </ul>
      <div class="buttons">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" class="primary" onClick={() => onPick(path)}>{action}</button>
      </div>
    </Modal>
  );
}
