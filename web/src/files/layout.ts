import { useState } from 'preact/hooks';

export type Layout = 'list' | 'grid';

const KEY = 'nimbus.files.layout';

/** List or grid, remembered in this browser as Nextcloud's files app remembers it per person. */
export function useLayout(): [Layout, (next: Layout) => void] {
  const [layout, setLayout] = useState<Layout>(() => (readStored() === 'grid' ? 'grid' : 'list'));
  return [
    layout,
    (next) => {
      setLayout(next);
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // Storage may be off (private windows); the choice then lasts this page.
      }
    },
  ];
}

function readStored(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}
