/** A direct download link as stored: the token itself is never kept, only its digest. */
export interface DirectLinkRecord {
  tokenHash: string;
  /** Whose access the link borrows; re-checked on every download. */
  userId: string;
  spaceId: string;
  nodeId: string;
  /** Epoch milliseconds; the link is dead from this instant on. */
  expiresAt: number;
  createdAt: number;
}

export interface DirectLinkRepository {
  insert(link: DirectLinkRecord): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<DirectLinkRecord | undefined>;
  delete(tokenHash: string): Promise<void>;
  /** Drops every link that expired at or before `now`. */
  pruneExpired(now: number): Promise<void>;
}
