/** A browser's sign-in (see migration 0010). */
export interface SessionRecord {
  id: string;
  tokenHash: string;
  userId: string;
  /** The browser as it named itself (User-Agent), for the devices page. */
  name: string;
  remember: boolean;
  /** Digest of the user's password hash at sign-in. */
  passwordProof: string;
  createdAt: number;
  lastUsedAt: number;
  /** The absolute end; idle expiry is counted from lastUsedAt. */
  expiresAt: number;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  listForUser(userId: string): Promise<SessionRecord[]>;
  touch(tokenHash: string, at: number): Promise<void>;
  deleteByTokenHash(tokenHash: string): Promise<void>;
  delete(userId: string, id: string): Promise<boolean>;
  deleteForUser(userId: string): Promise<void>;
  pruneExpired(now: number): Promise<void>;
}

/** A client's Login Flow: started by the client, granted in the browser, collected once. */
export interface LoginFlowRecord {
  id: string;
  loginHash: string;
  /** v2 only: the client polls with the token behind this digest. */
  pollHash: string | null;
  version: 1 | 2;
  clientName: string;
  /** The app password is encrypted to this key on grant. */
  publicKey: string;
  /** The matching private key, sealed with the poll token (v2); null for v1, which hands the password over in the grant's redirect. */
  sealedPrivateKey: string | null;
  /** Set once granted. */
  loginName: string | null;
  /** The app password made on grant, encrypted to publicKey (v2 only). */
  sealedPassword: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface LoginFlowRepository {
  insert(flow: LoginFlowRecord): Promise<void>;
  byLoginHash(loginHash: string): Promise<LoginFlowRecord | undefined>;
  byPollHash(pollHash: string): Promise<LoginFlowRecord | undefined>;
  /** Marks a pending flow granted; false when it was granted (or removed) already. */
  grant(id: string, loginName: string, sealedPassword: string | null): Promise<boolean>;
  /** Removes a flow; false when another request removed it first (a poll answers once). */
  take(id: string): Promise<boolean>;
  pruneExpired(now: number): Promise<void>;
}
