import { type Kysely, sql } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { Group } from '../../domain/group.js';
import type { GroupRepository, Page, ShareeQuery } from '../../ports/repositories.js';
import { compiledQuery } from '../compiled-query.js';
import { containsCi, equalsCi, pageBounds } from '../dialect-helpers.js';
import type { Database } from '../schema.js';

// Membership lookups run on every provisioning request (who is admin, whose subadmin): keep them compiled.
const selectMembership = compiledQuery((db: Kysely<Database>, groupId: string, userId: string) =>
  db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId),
);
const selectGroupsOfUser = compiledQuery((db: Kysely<Database>, userId: string) =>
  db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select('groups.id')
    .where('group_members.user_id', '=', userId)
    .orderBy('groups.id_lower'),
);
const selectSubadminGroupsOf = compiledQuery((db: Kysely<Database>, userId: string) =>
  db
    .selectFrom('group_subadmins')
    .innerJoin('groups', 'groups.id', 'group_subadmins.group_id')
    .select('groups.id')
    .where('group_subadmins.user_id', '=', userId)
    .orderBy('groups.id_lower'),
);

const groupsKey = (userId: string): string => `groups:${userId}`;
const subadminKey = (userId: string): string => `subadmin:${userId}`;
const groupRow = (g: Group) => ({ id: g.id, id_lower: g.id.toLowerCase(), display_name: g.displayName, created_at: g.createdAt });

export class GroupsRepository implements GroupRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(g: Group): Promise<void> {
    await this.db.insertInto('groups').values(groupRow(g)).execute();
  }

  async insertIfAbsent(g: Group): Promise<boolean> {
    const r = await this.db.insertInto('groups').values(groupRow(g)).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async findById(id: string): Promise<Group | undefined> {
    const r = await this.db.selectFrom('groups').selectAll().where('id_lower', '=', id.toLowerCase()).executeTakeFirst();
    return r ? { id: r.id, displayName: r.display_name, createdAt: Number(r.created_at) } : undefined;
  }

  async findMany(ids: string[]): Promise<Group[]> {
    const out: Group[] = [];
    for (let i = 0; i < ids.length; i += 900) {
      const rows = await this.db.selectFrom('groups').selectAll().where('id', 'in', ids.slice(i, i + 900)).execute();
      for (const r of rows) out.push({ id: r.id, displayName: r.display_name, createdAt: Number(r.created_at) });
    }
    return out;
  }

  private filtered(page: Page) {
    const { limit, offset } = pageBounds(page.limit, page.offset);
    let q = this.db.selectFrom('groups');
    if (page.search) {
      const s = page.search;
      q = q.where((eb) => eb.or([containsCi('groups.id', s), containsCi('groups.display_name', s)]));
    }
    return q.orderBy('groups.id_lower').limit(limit).offset(offset);
  }

  async listIds(page: Page): Promise<string[]> {
    const rows = await this.filtered(page).select('groups.id').execute();
    return rows.map((r) => r.id);
  }

  async list(page: Page): Promise<Array<Group & { userCount: number }>> {
    const rows = await this.filtered(page)
      .select([
        'groups.id',
        'groups.display_name',
        'groups.created_at',
        (eb) =>
          eb
            .selectFrom('group_members')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('group_members.group_id', '=', 'groups.id')
            .as('user_count'),
      ])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      displayName: r.display_name,
      createdAt: Number(r.created_at),
      userCount: Number(r.user_count ?? 0),
    }));
  }

  async searchSharees(q: ShareeQuery): Promise<Group[]> {
    if (q.within?.length === 0 || (q.match === 'equals' && q.search === '')) return [];
    const { limit, offset } = pageBounds(q.limit, q.offset);
    const by = q.match === 'equals' ? equalsCi : containsCi;
    let query = this.db.selectFrom('groups').selectAll();
    if (q.within) query = query.where('id', 'in', q.within);
    if (q.search !== '') query = query.where((eb) => eb.or([by('id', q.search), by('display_name', q.search)]));
    const rows = await query.orderBy('id_lower').limit(limit).offset(offset).execute();
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, createdAt: Number(r.created_at) }));
  }

  async update(id: string, changes: { displayName: string }): Promise<void> {
    await this.db.updateTable('groups').set({ display_name: changes.displayName }).where('id', '=', id).execute();
  }

  /** Its memberships and subadmins go with it (and whatever was cached of them). */
  async delete(id: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['groups:*', 'subadmin:*'], (db) => db.deleteFrom('groups').where('id', '=', id).execute());
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [groupsKey(userId)], (db) =>
      db.insertInto('group_members').values({ group_id: groupId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute(),
    );
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [groupsKey(userId)], (db) => db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute());
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    if (this.cx.cache.enabled) return (await this.groupsOfUser(userId)).includes(groupId);
    return (await selectMembership(this.db, groupId, userId)).length > 0;
  }

  groupsOfUser(userId: string): Promise<string[]> {
    return cachedRead(this.cx, groupsKey(userId), async () => (await selectGroupsOfUser(this.db, userId)).map((r) => r.id));
  }

  async membersOf(groupId: string, page: Page = {}): Promise<string[]> {
    const { limit, offset } = pageBounds(page.limit, page.offset);
    let q = this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .select('users.id')
      .where('group_members.group_id', '=', groupId);
    if (page.search) {
      const s = page.search;
      q = q.where((eb) => eb.or([containsCi('users.id', s), containsCi('users.display_name', s)]));
    }
    const rows = await q.orderBy('users.id_lower').limit(limit).offset(offset).execute();
    return rows.map((r) => r.id);
  }

  async membershipsOf(userIds: string[]): Promise<Array<{ groupId: string; userId: string }>> {
    const out: Array<{ groupId: string; userId: string }> = [];
    for (let i = 0; i < userIds.length; i += 900) {
      const rows = await this.db
        .selectFrom('group_members')
        .select(['group_id', 'user_id'])
        .where('user_id', 'in', userIds.slice(i, i + 900))
        .execute();
      for (const r of rows) out.push({ groupId: r.group_id, userId: r.user_id });
    }
    return out;
  }

  async addSubadmin(groupId: string, userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [subadminKey(userId)], (db) =>
      db.insertInto('group_subadmins').values({ group_id: groupId, user_id: userId }).onConflict((oc) => oc.doNothing()).execute(),
    );
  }

  async removeSubadmin(groupId: string, userId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [subadminKey(userId)], (db) => db.deleteFrom('group_subadmins').where('group_id', '=', groupId).where('user_id', '=', userId).execute());
  }

  subadminGroupsOf(userId: string): Promise<string[]> {
    return cachedRead(this.cx, subadminKey(userId), async () => (await selectSubadminGroupsOf(this.db, userId)).map((r) => r.id));
  }

  async subadminsOf(groupId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_subadmins')
      .innerJoin('users', 'users.id', 'group_subadmins.user_id')
      .select('users.id')
      .where('group_subadmins.group_id', '=', groupId)
      .orderBy('users.id_lower')
      .execute();
    return rows.map((r) => r.id);
  }
}
