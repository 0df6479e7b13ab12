/** A WebDAV write lock (RFC 4918 §6), kept in the database so every process sees it. */
export interface DavLock {
  /** `opaquelocktoken:<uuid>` (RFC 4918 §20.6 / RFC 4122). */
  token: string;
  spaceId: string;
  /** Space-relative path of the lock root, segments joined with '/'; '' is the space root. */
  path: string;
  scope: 'exclusive' | 'shared';
  depth: 0 | 'infinity';
  /** The client's owner element content, as XML. */
  owner: string;
  /** Who took the lock: only they may use its token. */
  userId: string;
  /** Seconds granted, as reported in d:timeout. */
  timeout: number;
  expiresAt: number;
}
