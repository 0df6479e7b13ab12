import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DavTree, type Entry } from '../api/dav.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { fullDate, humanSize } from '../format.js';
import { navigate, useRoute } from '../router.js';
import type { ViewProps } from '../views.js';
import { ConfirmDialog, ConflictDialog, type ConflictChoice, freeName, NameDialog } from './dialogs.js';
import { fromDrop, fromInput, type Picked } from './drop.js';
import { FavoriteButton } from './favorite-button.js';
import { FileGrid } from './file-grid.js';
import { FileTable, type Sort, type SortKey, sortEntries } from './file-table.js';
import { type Layout, useLayout } from './layout.js';
import { FolderPicker } from './folder-picker.js';
import { focusSharing, SharePanel } from '../sharing/share-panel.js';
import { VersionsPanel } from './versions-panel.js';
import { type UploadJob, UploadPanel, useUploads } from './uploads.js';
import { ErrorBanner } from '../error-banner.js';

type Dialog =
  | { kind: 'mkdir' }
  | { kind: 'rename'; entry: Entry }
  | { kind: 'delete'; names: string[] }
  | { kind: 'transfer'; op: 'MOVE' | 'COPY'; names: string[] }
  | { kind: 'conflict'; name: string; resolve(choice: ConflictChoice, forAll: boolean): void };

const dirOf = (route: URLSearchParams): string[] => (route.get('dir') ?? '/').split('/').filter(Boolean);

/** The signed-in user's own files (`?dir=/path`). */
export function PersonalFiles({ me, refreshMe }: ViewProps) {
  const tree = useMemo(() => DavTree.personal(me.id), [me.id]);
  return <FilesView tree={tree} user={me.id} rootLabel="All files" onChanged={refreshMe} />;
}

interface FilesViewProps {
  /** The WebDAV tree browsed: the personal files or a space. */
  tree: DavTree;
  user: string;
  rootLabel: string;
  /** Route parameters that stay while browsing (`view`, `space`); `dir` is the folder. */
  keep?: Record<string, string>;
  onChanged(): void;
}

/** A folder of a WebDAV tree, with everything a person does to its files. */
export function FilesView({ tree, user, rootLabel, keep = {}, onChanged: onQuotaChange }: FilesViewProps) {
  const route = useRoute();
  const path = dirOf(route);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [sort, setSort] = useState<Sort>({ key: 'name', ascending: true });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [layout, setLayout] = useLayout();
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () =>
    tree
      .list(path)
      .then((l) => setEntries(l.children))
      .catch(fail);
  const uploads = useUploads(user, () => {
    void reload();
    onQuotaChange();
  });

  useEffect(() => {
    setEntries(null);
    setSelected(new Set(route.get('openfile') ? [route.get('openfile')!] : [])); // a private link (/f/{id}) names the file to show
    void reload();
  }, [tree.root, path.join('/')]);
  const go = (next: string[]) => navigate({ ...keep, dir: '/' + next.join('/') });
  const names = new Set((entries ?? []).map((e) => e.name));
  const sorted = entries ? sortEntries(entries, sort) : [];
  const chosen = sorted.filter((e) => selected.has(e.name));
  const single = chosen.length === 1 ? chosen[0]! : null;
  const List = layout === 'grid' ? FileGrid : FileTable;

  async function run(work: () => Promise<unknown>) {
    setDialog(null);
    try {
      await work();
    } catch (err) {
      fail(err);
    }
    setSelected(new Set());
    await reload();
    onQuotaChange();
  }

  const ask = (name: string) => new Promise<{ choice: ConflictChoice; forAll: boolean }>((resolve) => setDialog({ kind: 'conflict', name, resolve: (choice, forAll) => { setDialog(null); resolve({ choice, forAll }); } }));

  /** Top-level name conflicts are asked about; dropped folders merge into a folder of the same name. */
  async function upload(picked: Picked[]) {
    const jobs: UploadJob[] = [];
    const taken = new Set(names);
    let always: ConflictChoice | null = null;
    for (const p of picked) {
      const top = p.path[0]!;
      const clash = p.path.length === 1 && taken.has(top) && !entries?.find((e) => e.name === top)?.folder;
      if (!clash) {
        jobs.push({ file: p.file, path: [...path, ...p.path], overwrite: false });
        continue;
      }
      const choice: ConflictChoice = always ?? (await ask(top).then(({ choice, forAll }) => { if (forAll) always = choice; return choice; }));
      if (choice === 'skip') continue;
      const name = choice === 'keep' ? freeName(top, taken) : top;
      taken.add(name);
      jobs.push({ file: p.file, path: [...path, name], overwrite: choice === 'replace' });
    }
    if (jobs.length) uploads.add(tree, jobs);
  }

  const sortBy = (key: SortKey) => setSort((s) => ({ key, ascending: s.key === key ? !s.ascending : true }));
  const select = (name: string, on: boolean) => setSelected((s) => { const n = new Set(s); if (on) n.add(name); else n.delete(name); return n; });

  return (
    <div
      class={`screen ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
      onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
      onDrop={(e) => { e.preventDefault(); setDragging(false); if (e.dataTransfer) fromDrop(e.dataTransfer).then(upload).catch(fail); }}
    >
      <main class="content">
        <nav class="crumbs" aria-label="Breadcrumbs">
          <button type="button" class="link" onClick={() => go([])}>{rootLabel}</button>
          {path.map((seg, i) => (
            <span key={i}> / <button type="button" class="link" aria-current={i === path.length - 1 ? 'page' : undefined} onClick={() => go(path.slice(0, i + 1))}>{seg}</button></span>
          ))}
        </nav>
        <div class="toolbar" role="toolbar" aria-label="Actions">
          <button type="button" class="primary" onClick={() => fileInput.current?.click()}>Upload</button>
          <button type="button" onClick={() => folderInput.current?.click()}>Upload folder</button>
          <button type="button" onClick={() => setDialog({ kind: 'mkdir' })}>New folder</button>
          {chosen.length > 0 && (
            <>
              <a class="button" href={downloadUrl(tree, path, chosen)} download={single && !single.folder ? single.name : undefined}>Download</a>
              {single && <button type="button" onClick={() => setDialog({ kind: 'rename', entry: single })}>Rename</button>}
              {single && <button type="button" onClick={focusSharing}>Share</button>}
              <button type="button" onClick={() => setDialog({ kind: 'transfer', op: 'MOVE', names: chosen.map((e) => e.name) })}>Move</button>
              <button type="button" onClick={() => setDialog({ kind: 'transfer', op: 'COPY', names: chosen.map((e) => e.name) })}>Copy</button>
              <button type="button" class="danger" onClick={() => setDialog({ kind: 'delete', names: chosen.map((e) => e.name) })}>Delete</button>
            </>
          )}
          <LayoutToggle layout={layout} onChange={setLayout} />
          <input ref={fileInput} type="file" multiple hidden aria-label="Files to upload" onChange={(e) => { const t = e.target as HTMLInputElement; if (t.files) void upload(fromInput(t.files)); t.value = ''; }} />
          <input ref={folderInput} type="file" multiple hidden aria-label="Folder to upload" {...{ webkitdirectory: '' }} onChange={(e) => { const t = e.target as HTMLInputElement; if (t.files) void upload(fromInput(t.files)); t.value = ''; }} />
        </div>
        <ErrorBanner message={message} onDismiss={() => setMessage(null)} />
        {entries === null ? <p class="loading">Loading…</p> : (
          <List
            entries={sorted}
            sort={sort}
            onSort={sortBy}
            selected={selected}
            onSelect={select}
            onSelectAll={(on) => setSelected(on ? new Set(sorted.map((e) => e.name)) : new Set())}
            onOpen={(e) => go(e.path)}
            downloadUrl={(e) => tree.url(e.path)}
            star={(e) => <FavoriteButton tree={tree} entry={e} onChanged={() => void reload()} onError={fail} />}
          />
        )}
      </main>
      {single && (
        <aside class="details" aria-label="Details">
          <h2>{single.name} <FavoriteButton tree={tree} entry={single} onChanged={() => void reload()} onError={fail} /></h2>
          <dl>
            <dt>Size</dt><dd>{humanSize(single.size)}</dd>
            <dt>Modified</dt><dd>{fullDate(single.modified)}</dd>
            <dt>Type</dt><dd>{single.folder ? 'Folder' : single.mime}</dd>
            <dt>Shared</dt><dd>{single.sharedBy ? 'Yes' : 'No'}</dd>
          </dl>
          <SharePanel tree={tree} user={user} entry={single} onChanged={() => void reload()} />
          {!single.folder && <VersionsPanel user={user} entry={single} onChanged={() => void reload()} />}
        </aside>
      )}
      <UploadPanel items={uploads.items} cancel={uploads.cancel} clear={uploads.clear} />
      {dialog?.kind === 'mkdir' && <NameDialog title="New folder" action="Create" initial="" taken={names} onClose={() => setDialog(null)} onSubmit={(n) => run(() => tree.mkdir([...path, n]))} />}
      {dialog?.kind === 'rename' && <NameDialog title={`Rename "${dialog.entry.name}"`} action="Rename" initial={dialog.entry.name} taken={names} onClose={() => setDialog(null)} onSubmit={(n) => run(() => tree.transfer('MOVE', dialog.entry.path, tree, [...path, n]))} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={dialog.names.length === 1 ? `Delete "${dialog.names[0]}"?` : `Delete ${dialog.names.length} items?`}
          message={keep.space ? "Deleted items go to this space's trash, where its editors and managers can restore them." : 'Deleted items go to the trash (Deleted files), where they can be restored.'}
          action="Move to trash"
          onClose={() => setDialog(null)}
          onConfirm={() => run(async () => { for (const n of dialog.names) await tree.remove([...path, n]); })}
        />
      )}
      {dialog?.kind === 'transfer' && (
        <FolderPicker
          tree={tree}
          title={dialog.op === 'MOVE' ? 'Move to' : 'Copy to'}
          action={dialog.op === 'MOVE' ? 'Move here' : 'Copy here'}
          start={path}
          onClose={() => setDialog(null)}
          onPick={(to) => run(async () => { for (const n of dialog.names) await tree.transfer(dialog.op, [...path, n], tree, [...to, n]); })}
        />
      )}
      {dialog?.kind === 'conflict' && <ConflictDialog name={dialog.name} onChoose={dialog.resolve} />}
    </div>
  );
}

/** One file downloads as itself; a folder or several items as one ZIP (Nextcloud 29's `?accept=zip&files=[…]`). */
function downloadUrl(tree: DavTree, folder: string[], chosen: Entry[]): string {
  if (chosen.length === 1 && !chosen[0]!.folder) return tree.url(chosen[0]!.path);
  if (chosen.length === 1) return `${tree.url(chosen[0]!.path)}?accept=zip`;
  return `${tree.url(folder)}?accept=zip&files=${encodeURIComponent(JSON.stringify(chosen.map((e) => e.name)))}`;
}

function LayoutToggle({ layout, onChange }: { layout: Layout; onChange(next: Layout): void }) {
  const grid = layout === 'grid';
  return (
    <button type="button" class="layout-toggle" aria-pressed={grid} title={grid ? 'Show as a list' : 'Show as a grid of pictures'} onClick={() => onChange(grid ? 'list' : 'grid')}>
      {grid ? '☰ List view' : '▦ Grid view'}
    </button>
  );
}
