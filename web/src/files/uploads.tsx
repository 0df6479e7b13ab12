import { useRef, useState } from 'preact/hooks';
import type { DavTree } from '../api/dav.js';
import { ApiError } from '../api/http.js';
import { uploadFile } from '../api/uploads.js';
import { humanSize } from '../format.js';

/** One file to upload: where it goes, relative to the folder it was dropped on. */
export interface UploadJob {
  file: File;
  path: string[];
  overwrite: boolean;
}

interface Item {
  id: number;
  name: string;
  size: number;
  sent: number;
  state: 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';
  error?: string;
  /** Why bytes are not flowing (connection lost, waiting, resuming), in words; unset while they flow. */
  note?: string;
  controller: AbortController;
}

/** The upload queue: files go up one after another, each with its progress and a cancel button. */
export function useUploads(user: string, onUploaded: () => void) {
  const [items, setItems] = useState<Item[]>([]);
  const nextId = useRef(1);
  const running = useRef(false);
  const queue = useRef<{ item: Item; job: UploadJob; tree: DavTree }[]>([]);

  const patch = (id: number, change: Partial<Item>) => setItems((list) => list.map((i) => (i.id === id ? { ...i, ...change } : i)));

  async function drain() {
    if (running.current) return;
    running.current = true;
    while (queue.current.length) {
      const { item, job, tree } = queue.current.shift()!;
      if (item.controller.signal.aborted) continue;
      patch(item.id, { state: 'uploading' });
      try {
        if (job.path.length > 1) await ensureFolders(tree, job.path.slice(0, -1));
        // Progress events come many times a second per request; the panel (and the view around it) redraws at most every 100 ms.
        let shown = 0;
        const progress = (sent: number) => {
          const now = performance.now();
          if (now - shown < 100) return;
          shown = now;
          patch(item.id, { sent });
        };
        const note = (text: string | null) => patch(item.id, { note: text ?? undefined });
        await uploadFile(user, tree, job.path, job.file, job.overwrite, progress, item.controller.signal, note);
        patch(item.id, { state: 'done', sent: item.size, note: undefined });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'AbortError') patch(item.id, { state: 'cancelled', note: undefined });
        else patch(item.id, { state: 'failed', note: undefined, error: err instanceof ApiError ? err.message : 'The upload failed.' });
      }
      onUploaded();
    }
    running.current = false;
  }

  const made = useRef(new Set<string>());
  async function ensureFolders(tree: DavTree, folders: string[]) {
    for (let i = 1; i <= folders.length; i++) {
      const key = `${tree.root}/${folders.slice(0, i).join('/')}`;
      if (made.current.has(key)) continue;
      await tree.ensureFolder(folders.slice(0, i));
      made.current.add(key);
    }
  }

  function add(tree: DavTree, jobs: UploadJob[]) {
    const added = jobs.map((job) => ({ item: { id: nextId.current++, name: job.path.join('/'), size: job.file.size, sent: 0, state: 'queued' as const, controller: new AbortController() }, job, tree }));
    queue.current.push(...added);
    setItems((list) => [...list.filter((i) => i.state === 'queued' || i.state === 'uploading' || i.state === 'failed'), ...added.map((a) => a.item)]);
    void drain();
  }

  const cancel = (id: number) => items.find((i) => i.id === id)?.controller.abort();
  const clear = () => setItems((list) => list.filter((i) => i.state === 'queued' || i.state === 'uploading'));
  return { items, add, cancel, clear };
}

export function UploadPanel({ items, cancel, clear }: { items: Item[]; cancel(id: number): void; clear(): void }) {
  if (!items.length) return null;
  const total = items.reduce((n, i) => n + i.size, 0);
  const sent = items.reduce((n, i) => n + (i.state === 'done' ? i.size : i.sent), 0);
  const active = items.some((i) => i.state === 'queued' || i.state === 'uploading');
  return (
    <section class="uploads" aria-label="Uploads">
      <div class="uploads-head">
        <strong>{active ? `Uploading ${humanSize(sent)} of ${humanSize(total)}` : 'Uploads finished'}</strong>
        <progress max={total || 1} value={sent} aria-label="Overall progress" />
        {!active && <button type="button" onClick={clear}>Close</button>}
      </div>
      <ul>
        {items.map((i) => (
          <li key={i.id} class={i.note && i.state === 'uploading' ? `${i.state} waiting` : i.state}>
            <span class="upload-name">{i.name}</span>
            <progress max={i.size || 1} value={i.state === 'done' ? i.size : i.sent} aria-label={`Progress of ${i.name}`} />
            <span class="upload-state">{i.state === 'failed' ? i.error : i.state === 'done' ? 'Done' : i.state === 'cancelled' ? 'Cancelled' : i.state === 'queued' ? 'Waiting' : `${Math.floor((i.sent / (i.size || 1)) * 100)}%`}</span>
            {i.note && i.state === 'uploading' && <span class="upload-note" role="status">{i.note}</span>}
            {(i.state === 'queued' || i.state === 'uploading') && <button type="button" onClick={() => cancel(i.id)} aria-label={`Cancel ${i.name}`}>Cancel</button>}
          </li>
        ))}
      </ul>
    </section>
  );
}
