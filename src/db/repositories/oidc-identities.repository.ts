import type { Kysely, Selectable } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { OidcIdentityRecord, OidcIdentityRepository } from '../../ports/oidc.js';
import type { Database, OidcIdentitiesTable } from '../schema.js';

const toIdentity = (r: Selectable<OidcIdentitiesTable>): OidcIdentityRecord => ({ issuer: r.issuer, subject: r.subject, userId: r.user_id, createdAt: Number(r.created_at) });

// An issuer is a URL, so it holds no space; the key goes into the change log, which takes no NUL.
const identityKey = (issuer: string, subject: string): string => `oidcid:${issuer} ${subject}`;

/** External users' links, read on every request with a provider's token: cached by issuer and subject. */
export class OidcIdentitiesRepository implements OidcIdentityRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async find(issuer: string, subject: string): Promise<OidcIdentityRecord | undefined> {
    const found = await cachedRead(this.cx, identityKey(issuer, subject), async () => {
      const r = await this.db.selectFrom('oidc_identities').selectAll().where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
      return r ? toIdentity(r) : null;
    });
    return found ?? undefined;
  }

  async findByUser(issuer: string, userId: string): Promise<OidcIdentityRecord | undefined> {
    const r = await this.db.selectFrom('oidc_identities').selectAll().where('issuer', '=', issuer).where('user_id', '=', userId).executeTakeFirst();
    return r ? toIdentity(r) : undefined;
  }

  async insertIfAbsent(i: OidcIdentityRecord): Promise<boolean> {
    const r = await cachedWrite(this.cx, this.db, [identityKey(i.issuer, i.subject)], (db) =>
      db
        .insertInto('oidc_identities')
        .values({ issuer: i.issuer, subject: i.subject, user_id: i.userId, created_at: i.createdAt })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst(),
    );
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
