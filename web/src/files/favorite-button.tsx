import { useState } from 'preact/hooks';
import type { DavTree, Entry } from '../api/dav.js';

interface Props {
  tree: DavTree;
  entry: Entry;
  /** After the change is stored: the caller reloads what it shows. */
  onChanged(on: boolean): void;
  onError(err: unknown): void;
}

/** The star of an entry: marks or unmarks it as one of the user's favorites (each user's own, shared items included). */
export function FavoriteButton({ tree, entry, onChanged, onError }: Props) {
  const [busy, setBusy] = useState(false);
  const on = entry.favorite;
  const toggle = async () => {
    setBusy(true);
    try {
      await tree.setFavorite(entry.path, !on);
      onChanged(!on);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  const label = `${on ? 'Remove from favourites' : 'Add to favourites'}: ${entry.name}`;
  return (
    <button type="button" class={`star ${on ? 'on' : ''}`} aria-label={label} title={on ? 'Remove from favourites' : 'Add to favourites'} aria-pressed={on} disabled={busy} onClick={() => void toggle()}>
      {on ? '★' : '☆'}
    </button>
  );
}
