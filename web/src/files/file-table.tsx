import type { ComponentChild } from 'preact';
import { useRef } from 'preact/hooks';
import type { Entry } from '../api/dav.js';
import { fullDate, humanDate, humanSize } from '../format.js';
import { EntryIcon } from './entry-icon.js';
import { useScrollWindow, visibleLines } from './scroll-window.js';

export type SortKey = 'name' | 'size' | 'modified';
export interface Sort {
  key: SortKey;
  ascending: boolean;
}

const ROW_HEIGHT = 48;
/** Rows drawn beyond the visible ones, so fast scrolling does not show gaps. */
const OVERSCAN = 10;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first, then by the chosen column, as Nextcloud's file list sorts. */
export function sortEntries(entries: Entry[], sort: Sort): Entry[] {
  const dir = sort.ascending ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (a.folder !== b.folder) return a.folder ? -1 : 1;
    const by = sort.key === 'name' ? collator.compare(a.name, b.name) : sort.key === 'size' ? a.size - b.size : a.modified - b.modified;
    return (by || collator.compare(a.name, b.name)) * dir;
  });
}

export interface FileListProps {
  entries: Entry[];
  sort: Sort;
  onSort(key: SortKey): void;
  selected: Set<string>;
  onSelect(name: string, on: boolean): void;
  onSelectAll(on: boolean): void;
  onOpen(entry: Entry): void;
  downloadUrl(entry: Entry): string;
  /** Draws each row's favourite star. */
  star?(entry: Entry): ComponentChild;
}

/**
 * The folder's entries as a table whose rows are drawn only where they are
 * visible: a folder of 10,000 files keeps a few dozen rows in the page.
 */
export function FileTable({ entries, sort, onSort, selected, onSelect, onSelectAll, onOpen, downloadUrl, star }: FileListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scroll, onScroll] = useScrollWindow(box);
  const { first, last } = visibleLines(scroll, ROW_HEIGHT, entries.length, OVERSCAN);
  const visible = entries.slice(first, last);
  const all = entries.length > 0 && entries.every((e) => selected.has(e.name));

  const header = (key: SortKey, label: string) => <SortButton sort={sort} by={key} label={label} onSort={onSort} />;

  return (
    <div class="table" role="table" aria-label="Files" aria-rowcount={entries.length + 1}>
      <div class="row head" role="row">
        <span class="check" role="columnheader">
          <input type="checkbox" aria-label="Select all" checked={all} onChange={(e) => onSelectAll((e.target as HTMLInputElement).checked)} />
        </span>
        <span class="name" role="columnheader">{header('name', 'Name')}</span>
        <span class="size" role="columnheader">{header('size', 'Size')}</span>
        <span class="modified" role="columnheader">{header('modified', 'Modified')}</span>
      </div>
      <div class="rows" ref={box} onScroll={onScroll}>
        {entries.length === 0 && <p class="empty">No files in here. Upload some or drop them on this page.</p>}
        <div class="spacer" style={{ height: `${entries.length * ROW_HEIGHT}px` }}>
          {visible.map((entry, i) => (
            <div class={`row ${selected.has(entry.name) ? 'selected' : ''}`} role="row" key={entry.name} style={{ top: `${(first + i) * ROW_HEIGHT}px` }} data-name={entry.name}>
              <span class="check" role="cell">
                <input type="checkbox" aria-label={`Select ${entry.name}`} checked={selected.has(entry.name)} onChange={(e) => onSelect(entry.name, (e.target as HTMLInputElement).checked)} />
              </span>
              <span class="name" role="cell">
                <EntryIcon entry={entry} fileUrl={downloadUrl(entry)} />
                {entry.folder ? (
                  <button type="button" class="link" onClick={() => onOpen(entry)}>{entry.name}</button>
                ) : (
                  <a href={downloadUrl(entry)} download={entry.name}>{entry.name}</a>
                )}
                {star?.(entry)}
              </span>
              <span class="size" role="cell">{humanSize(entry.size)}</span>
              <span class="modified" role="cell" title={fullDate(entry.modified)}>{humanDate(entry.modified)}</span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

/** A column's sort button: the active one shows its direction. */
export function SortButton({ sort, by, label, onSort }: { sort: Sort; by: SortKey; label: string; onSort(key: SortKey): void }) {
  const active = sort.key === by;
  return (
    <button type="button" class={`sort ${active ? 'active' : ''}`} aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : 'none'} onClick={() => onSort(by)}>
      {label}
      {active ? (sort.ascending ? ' ▲' : ' ▼') : ''}
    </button>
  );
}
