/**
 * A search over file-tree nodes, as WebDAV SEARCH (RFC 5323 basicsearch,
 * Nextcloud's dialect) asks it, in terms of stored fields. Pure data: the
 * DAV front door parses it, the store layer turns it into SQL.
 */
export type SearchField = 'name' | 'mime' | 'mtime' | 'size' | 'fileId';

export type SearchCondition =
  | { op: 'and' | 'or'; of: SearchCondition[] }
  | { op: 'not'; of: SearchCondition }
  /** `%` and `_` are wildcards (SQL LIKE, as Nextcloud passes the literal on); names and types compare case-insensitively. */
  | { op: 'like'; field: 'name' | 'mime'; value: string }
  | { op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte'; field: SearchField; value: string | number }
  | { op: 'favorite'; value: boolean }
  | { op: 'folder'; value: boolean };

export interface SearchOrder {
  field: 'name' | 'mime' | 'mtime' | 'size';
  desc: boolean;
}

export interface FileSearch {
  where: SearchCondition | null;
  order: SearchOrder[];
  /** At most this many results (nresults); undefined: all. */
  limit?: number;
  /** Results skipped first (Nextcloud's firstresult). */
  offset: number;
}

/** Where a search looks: below a path of one space. */
export interface SearchScope {
  spaceId: string;
  /** Space-relative, '' for the whole space. */
  path: string;
  /** The node at the path itself matches too (a shared node, which shows as its mount). */
  withRoot?: boolean;
}

/** Conditions nested deeper than this are refused: a body cannot make the SQL grow without bound. */
export const MAX_SEARCH_DEPTH = 16;
/** Nextcloud caps nothing here; this keeps one answer bounded. */
export const MAX_SEARCH_RESULTS = 1000;
