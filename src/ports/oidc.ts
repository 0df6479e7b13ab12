/**
 * OpenID Connect provider state (see migration 0019). The provider library's
 * adapter reads and writes models through OidcModelRepository; grants and
 * signing keys are Nimbus's own rows.
 */

/** One stored model of the provider library (Session, Interaction, AuthorizationCode, RefreshToken, Grant, …). */
export interface OidcModelRecord {
  model: string;
  id: string;
  /** The library's payload, as JSON text. */
  payload: string;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  /** Epoch ms; null for models without an end. */
  expiresAt: number | null;
  consumedAt: number | null;
}

export interface OidcModelRepository {
  upsert(record: OidcModelRecord): Promise<void>;
  find(model: string, id: string): Promise<OidcModelRecord | undefined>;
  findByUid(model: string, uid: string): Promise<OidcModelRecord | undefined>;
  findByUserCode(model: string, userCode: string): Promise<OidcModelRecord | undefined>;
  /** Marks a code or token used; false when it already was (or is gone), so a replay is told apart. */
  consume(model: string, id: string, at: number): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  destroyByGrantId(grantId: string): Promise<void>;
  pruneExpired(now: number): Promise<void>;
}

/** A user's consent to a client: every token names its grant; deleting the row ends them all. */
export interface OidcGrantRecord {
  grantId: string;
  userId: string;
  clientId: string;
  /** Digest of the user's password hash when they granted (as a browser session keeps it). */
  passwordProof: string;
  createdAt: number;
  expiresAt: number;
}

export interface OidcGrantRepository {
  insert(grant: OidcGrantRecord): Promise<void>;
  /** Cached (and invalidated across processes): read on every Bearer JWT request. */
  find(grantId: string): Promise<OidcGrantRecord | undefined>;
  listForUser(userId: string): Promise<OidcGrantRecord[]>;
  delete(grantId: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  pruneExpired(now: number): Promise<void>;
}

/** A private signing key as a JWK (JSON text), with its key id. */
export interface OidcSigningKeyRecord {
  kid: string;
  privateJwk: string;
  createdAt: number;
}

export interface OidcSigningKeyRepository {
  /** Newest first. */
  list(): Promise<OidcSigningKeyRecord[]>;
  insert(key: OidcSigningKeyRecord): Promise<void>;
  /** Inserts unless a key with that kid exists (processes starting together agree on the first key's kid); answers whether it did. */
  insertIfAbsent(key: OidcSigningKeyRecord): Promise<boolean>;
  delete(kid: string): Promise<void>;
}

/** A user of an external provider: its issuer and subject, and the Nimbus user they are. */
export interface OidcIdentityRecord {
  issuer: string;
  subject: string;
  userId: string;
  createdAt: number;
}

export interface OidcIdentityRepository {
  /** Cached (and invalidated across processes): read on every external Bearer token request. */
  find(issuer: string, subject: string): Promise<OidcIdentityRecord | undefined>;
  findByUser(issuer: string, userId: string): Promise<OidcIdentityRecord | undefined>;
  /** Inserts unless the subject or the user is linked already; answers whether it did. */
  insertIfAbsent(identity: OidcIdentityRecord): Promise<boolean>;
}
