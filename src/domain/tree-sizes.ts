/** One row of a space's tree as the consistency check sees it. */
export interface TreeEntry {
  id: string;
  /** The space id for top-level entries. */
  parentId: string;
  path: string;
  type: 'file' | 'folder';
  size: number;
  etag: string;
}

export interface SizeMismatch {
  id: string;
  path: string;
  stored: number;
  actual: number;
}

export interface TreeAudit {
  /** Folders whose stored size is not the sum of what is in them. */
  folders: SizeMismatch[];
  /** The space's own size (its quota `used`) against the sum of its top-level entries. */
  root: { stored: number; actual: number };
  /** Rows whose etag is empty: clients cannot tell a change of them. */
  emptyEtags: string[];
  /** Folders that need a new etag once repaired: each wrong one or one with an empty etag, and every folder above it or above a file with an empty etag. */
  staleFolders: string[];
  /** The correct size of every folder that is wrong. */
  actualSizes: Map<string, number>;
}

/**
 * Adds a space's tree up from its files: a folder's size is the sum of its
 * children's, the space's is the sum of its top-level entries (ARCHITECTURE:
 * "quota used is the space root's size"). Pure: the caller reads and writes.
 */
export function auditTree(spaceId: string, storedRootSize: number, entries: readonly TreeEntry[]): TreeAudit {
  const children = new Map<string, TreeEntry[]>();
  for (const e of entries) {
    const list = children.get(e.parentId);
    if (list) list.push(e);
    else children.set(e.parentId, [e]);
  }
  const actual = new Map<string, number>();
  // Deepest folders first, so every child's size is known before its parent's.
  const folders = entries.filter((e) => e.type === 'folder').sort((a, b) => depth(b.path) - depth(a.path));
  const sizeOf = (e: TreeEntry): number => (e.type === 'file' ? e.size : (actual.get(e.id) ?? 0));
  for (const f of folders) actual.set(f.id, (children.get(f.id) ?? []).reduce((sum, c) => sum + sizeOf(c), 0));

  const byId = new Map(entries.map((e) => [e.id, e]));
  const wrong = folders.filter((f) => actual.get(f.id) !== f.size);
  const stale = new Set<string>();
  const markUp = (id: string) => {
    for (let e = byId.get(id); e && !stale.has(e.id); e = byId.get(e.parentId)) stale.add(e.id);
  };
  for (const f of wrong) markUp(f.id);
  const emptyEtags = entries.filter((e) => e.etag === '').map((e) => e.id);
  for (const id of emptyEtags) {
    const e = byId.get(id)!;
    markUp(e.type === 'folder' ? e.id : e.parentId);
  }
  return {
    folders: wrong.map((f) => ({ id: f.id, path: f.path, stored: f.size, actual: actual.get(f.id)! })).sort((a, b) => a.path.localeCompare(b.path)),
    root: { stored: storedRootSize, actual: (children.get(spaceId) ?? []).reduce((sum, c) => sum + sizeOf(c), 0) },
    emptyEtags,
    staleFolders: [...stale],
    actualSizes: new Map(wrong.map((f) => [f.id, actual.get(f.id)!])),
  };
}

const depth = (p: string): number => (p === '' ? 0 : p.split('/').length);
