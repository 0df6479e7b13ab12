import type { Kysely, Selectable, Updateable } from 'kysely';
import { type CacheContext, cachedWrite } from '../cache/cached.js';
import type { NewSpace, Space } from '../../domain/space.js';
import { toSpace } from './space-rows.js';
import { CountersRepository } from './file-state.repository.js';
import type { SpaceRepository } from '../../ports/repositories.js';
import type { Database, SpacesTable } from '../schema.js';


export class SpacesRepository implements SpaceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(s: NewSpace): Promise<void> {
    const rootFileId = await new CountersRepository(this.db).allocate('file_id', 1);
    await this.db
      .insertInto('spaces')
      .values({
        id: s.id,
        type: s.type,
        name: s.name,
        description: s.description,
        alias: s.alias,
        quota_total: s.quotaTotal,
        owner_id: s.ownerId,
        created_at: s.createdAt,
        mtime: s.mtime,
        etag: s.etag,
        size: s.size,
        disabled_at: s.disabledAt,
        special_readme: s.specialReadme,
        special_image: s.specialImage,
        root_file_id: rootFileId,
      })
      .execute();
  }

  async findById(id: string): Promise<Space | undefined> {
    const r = await this.db.selectFrom('spaces').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toSpace(r) : undefined;
  }

  async listAll(): Promise<Space[]> {
    return (await this.db.selectFrom('spaces').selectAll().execute()).map(toSpace);
  }

  async listForPrincipal(userId: string, groupIds: string[]): Promise<Space[]> {
    const rows = await this.db
      .selectFrom('spaces')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('space_members')
          .select('space_id')
          .where((w) =>
            w.or([
              w.and([w('principal_type', '=', 'user'), w('principal_id', '=', userId)]),
              ...(groupIds.length ? [w.and([w('principal_type', '=', 'group'), w('principal_id', 'in', groupIds)])] : []),
            ]),
          ),
      )
      .execute();
    return rows.map(toSpace);
  }

  async update(id: string, c: Partial<Omit<Space, 'id' | 'type' | 'createdAt' | 'rootFileId'>>): Promise<void> {
    const v: Updateable<SpacesTable> = {};
    if (c.name !== undefined) v.name = c.name;
    if (c.description !== undefined) v.description = c.description;
    if (c.alias !== undefined) v.alias = c.alias;
    if (c.quotaTotal !== undefined) v.quota_total = c.quotaTotal;
    if (c.ownerId !== undefined) v.owner_id = c.ownerId;
    if (c.mtime !== undefined) v.mtime = c.mtime;
    if (c.etag !== undefined) v.etag = c.etag;
    if (c.size !== undefined) v.size = c.size;
    if (c.disabledAt !== undefined) v.disabled_at = c.disabledAt;
    if (c.specialReadme !== undefined) v.special_readme = c.specialReadme;
    if (c.specialImage !== undefined) v.special_image = c.specialImage;
    if (Object.keys(v).length === 0) return;
    await this.db.updateTable('spaces').set(v).where('id', '=', id).execute();
  }

  /** Its members, and shares of its items, go with it. */
  async delete(id: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [`members:${id}`, 'received:*'], (db) => db.deleteFrom('spaces').where('id', '=', id).execute());
  }
}
