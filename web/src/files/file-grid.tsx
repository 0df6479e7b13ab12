import { useRef } from 'preact/hooks';
import { humanSize } from '../format.js';
import { EntryIcon } from './entry-icon.js';
import { type FileListProps, SortButton } from './file-table.js';
import { useScrollWindow, visibleLines } from './scroll-window.js';

const TILE_WIDTH = 176;
const TILE_HEIGHT = 212;
const PICTURE = 144;
const OVERSCAN_LINES = 3;

/**
 * The folder's entries as tiles with large thumbnails, for folders of
 * pictures (Nextcloud's and ownCloud Web's grid view). Like the table it
 * draws only the lines of tiles that are visible.
 */
export function FileGrid({ entries, sort, onSort, selected, onSelect, onSelectAll, onOpen, downloadUrl, star }: FileListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [view, onScroll] = useScrollWindow(box);
  const columns = Math.max(1, Math.floor(view.width / TILE_WIDTH));
  const lines = Math.ceil(entries.length / columns);
  const { first, last } = visibleLines(view, TILE_HEIGHT, lines, OVERSCAN_LINES);
  const visible = entries.slice(first * columns, last * columns);
  const all = entries.length > 0 && entries.every((e) => selected.has(e.name));

  return (
    <div class="grid-view" role="grid" aria-label="Files" aria-rowcount={lines}>
      <div class="grid-head">
        <label>
          <input type="checkbox" aria-label="Select all" checked={all} onChange={(e) => onSelectAll((e.target as HTMLInputElement).checked)} /> All
        </label>
        <span class="muted-label">Sort by</span>
        <SortButton sort={sort} by="name" label="Name" onSort={onSort} />
        <SortButton sort={sort} by="size" label="Size" onSort={onSort} />
        <SortButton sort={sort} by="modified" label="Modified" onSort={onSort} />
      </div>
      <div class="rows" ref={box} onScroll={onScroll}>
        {entries.length === 0 && <p class="empty">No files in here. Upload some or drop them on this page.</p>}
        <div class="spacer" style={{ height: `${lines * TILE_HEIGHT}px` }}>
          {visible.map((entry, i) => {
            const at = first * columns + i;
            const open = entry.folder ? (
              <button type="button" class="link" onClick={() => onOpen(entry)}>{entry.name}</button>
            ) : (
              <a href={downloadUrl(entry)} download={entry.name}>{entry.name}</a>
            );
            return (
              <div
                class={`tile ${selected.has(entry.name) ? 'selected' : ''}`}
                role="gridcell"
                key={entry.name}
                data-name={entry.name}
                style={{ top: `${Math.floor(at / columns) * TILE_HEIGHT}px`, left: `${(at % columns) * TILE_WIDTH}px`, width: `${TILE_WIDTH - 12}px` }}
              >
                <input type="checkbox" class="tile-check" aria-label={`Select ${entry.name}`} checked={selected.has(entry.name)} onChange={(e) => onSelect(entry.name, (e.target as HTMLInputElement).checked)} />
                <span class="tile-star">{star?.(entry)}</span>
                <button type="button" class="tile-picture" aria-label={entry.folder ? `Open ${entry.name}` : `Select ${entry.name}`} tabIndex={-1} onClick={() => (entry.folder ? onOpen(entry) : onSelect(entry.name, !selected.has(entry.name)))}>
                  <EntryIcon entry={entry} fileUrl={downloadUrl(entry)} size={entry.preview ? PICTURE : 72} crop />
                </button>
                <span class="tile-name" title={entry.name}>{open}</span>
                <span class="tile-size">{entry.folder ? '' : humanSize(entry.size)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
