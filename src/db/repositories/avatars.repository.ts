import type { Kysely } from 'kysely';
import type { AvatarRepository, AvatarState, PendingAvatar } from '../../ports/avatars.js';
import type { Database } from '../schema.js';

export class AvatarsRepository implements AvatarRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async state(userId: string): Promise<AvatarState | undefined> {
    const row = await this.db
      .selectFrom('avatars')
      .select((eb) => ['version', 'updated_at', eb('image', 'is not', null).as('has_image')])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && { userId, version: row.version, hasImage: Boolean(row.has_image), updatedAt: row.updated_at };
  }

  async image(userId: string): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom('avatars').select('image').where('user_id', '=', userId).executeTakeFirst();
    return row?.image ?? undefined;
  }

  async put(userId: string, png: Buffer | null, at: number): Promise<AvatarState> {
    const row = await this.db
      .insertInto('avatars')
      .values({ user_id: userId, version: 1, image: png, pending: null, pending_expires_at: null, updated_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ version: eb('avatars.version', '+', 1), image: png, pending: null, pending_expires_at: null, updated_at: at })))
      .returning(['version', 'updated_at'])
      .executeTakeFirstOrThrow();
    return { userId, version: row.version, hasImage: png !== null, updatedAt: row.updated_at };
  }

  async pending(userId: string): Promise<PendingAvatar | undefined> {
    const row = await this.db.selectFrom('avatars').select(['pending', 'pending_expires_at']).where('user_id', '=', userId).executeTakeFirst();
    return row?.pending && row.pending_expires_at !== null ? { bytes: row.pending, expiresAt: row.pending_expires_at } : undefined;
  }

  async setPending(userId: string, pending: PendingAvatar | null, at: number): Promise<void> {
    const values = { pending: pending?.bytes ?? null, pending_expires_at: pending?.expiresAt ?? null };
    // A pending upload changes nothing served: the version stays.
    await this.db
      .insertInto('avatars')
      .values({ user_id: userId, version: 0, image: null, updated_at: at, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .execute();
  }
}
