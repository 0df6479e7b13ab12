import type { Kysely } from 'kysely';
import type { DirectLinkRecord, DirectLinkRepository } from '../../ports/direct-links.js';
import type { Database } from '../schema.js';

export class DirectLinksRepository implements DirectLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(l: DirectLinkRecord): Promise<void> {
    await this.db
      .insertInto('direct_links')
      .values({ token_hash: l.tokenHash, user_id: l.userId, space_id: l.spaceId, node_id: l.nodeId, expires_at: l.expiresAt, created_at: l.createdAt })
      .execute();
  }

  async findByTokenHash(tokenHash: string): Promise<DirectLinkRecord | undefined> {
    const r = await this.db.selectFrom('direct_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!r) return undefined;
    return { tokenHash: r.token_hash, userId: r.user_id, spaceId: r.space_id, nodeId: r.node_id, expiresAt: Number(r.expires_at), createdAt: Number(r.created_at) };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('direct_links').where('token_hash', '=', tokenHash).execute();
  }

  async pruneExpired(now: number): Promise<void> {
    await this.db.deleteFrom('direct_links').where('expires_at', '<=', now).execute();
  }
}
