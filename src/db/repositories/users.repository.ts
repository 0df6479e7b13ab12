import { type Kysely, type Selectable, type SqlBool, sql, type Updateable } from 'kysely';
import { emptyProfile, type User, type UserProfile } from '../../domain/user.js';
import type { Page, ShareeQuery, UserRepository } from '../../ports/repositories.js';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import { compiledQuery } from '../compiled-query.js';
import { containsCi, equalsCi, pageBounds } from '../dialect-helpers.js';
import type { Database, UsersTable } from '../schema.js';

function parseProfile(json: string): UserProfile {
  try {
    return { ...emptyProfile(), ...(JSON.parse(json) as Partial<UserProfile>) };
  } catch {
    return emptyProfile();
  }
}

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  displayName: r.display_name,
  email: r.email,
  passwordHash: r.password_hash,
  enabled: r.enabled === 1,
  quota: r.quota,
  language: r.language,
  locale: r.locale,
  timezone: r.timezone,
  manager: r.manager,
  profile: parseProfile(r.profile),
  createdAt: Number(r.created_at),
  firstLoginAt: r.first_login_at === null ? null : Number(r.first_login_at),
  lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at),
});

// SQLite allows 32766 bound variables; bulk lookups stay well under.
const IN_CHUNK = 900;

// Every authenticated request looks its user up: keep that query compiled.
const selectByLogin = compiledQuery((db: Kysely<Database>, idLower: string) =>
  db.selectFrom('users').selectAll().where('id_lower', '=', idLower),
);

/** A user row by its case-insensitive id; also the key of everything cached about them. */
const userKey = (id: string): string => `user:${id.toLowerCase()}`;
const userRow = (u: User) => ({
  id: u.id,
  id_lower: u.id.toLowerCase(),
  display_name: u.displayName,
  email: u.email,
  password_hash: u.passwordHash,
  enabled: u.enabled ? 1 : 0,
  quota: u.quota,
  language: u.language,
  locale: u.locale,
  timezone: u.timezone,
  manager: u.manager,
  profile: JSON.stringify(u.profile),
  created_at: u.createdAt,
  first_login_at: u.firstLoginAt,
  last_login_at: u.lastLoginAt,
});

export class UsersRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async insert(u: User): Promise<void> {
    await cachedWrite(this.cx, this.db, [userKey(u.id)], (db) => db.insertInto('users').values(userRow(u)).execute());
  }

  async insertIfAbsent(u: User): Promise<boolean> {
    const r = await cachedWrite(this.cx, this.db, [userKey(u.id)], (db) => db.insertInto('users').values(userRow(u)).onConflict((oc) => oc.doNothing()).executeTakeFirst());
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Ids are unique case-insensitively, and looked up that way, like Nextcloud's database backend. */
  findById(id: string): Promise<User | undefined> {
    return this.findByLogin(id);
  }

  findByLogin(login: string): Promise<User | undefined> {
    return cachedRead(this.cx, userKey(login), async () => {
      const [row] = await selectByLogin(this.db, login.toLowerCase());
      return row ? toUser(row) : null;
    }).then((u) => u ?? undefined);
  }

  async findByEmail(email: string): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where(sql<SqlBool>`lower(email) = ${email.toLowerCase()}`).limit(2).execute();
    return rows.map(toUser);
  }

  /** Exact ids, as the column compares; users already cached are not asked for again. */
  async findMany(ids: string[]): Promise<User[]> {
    const out: User[] = [];
    let missing = ids;
    const cache = this.cx.cache;
    if (cache.enabled) {
      await this.cx.feed.catchUp();
      missing = [];
      for (const id of ids) {
        const hit = this.cx.scope?.touches(userKey(id)) ? undefined : cache.peek<User | null>(userKey(id));
        if (hit && hit.id === id) out.push(hit);
        else missing.push(id);
      }
    }
    const mark = cache.mark();
    const loaded: User[] = [];
    for (let i = 0; i < missing.length; i += IN_CHUNK) {
      const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', missing.slice(i, i + IN_CHUNK)).execute();
      for (const r of rows) loaded.push(toUser(r));
    }
    cache.storeIfUnchanged(mark, loaded.filter((u) => !this.cx.scope?.touches(userKey(u.id))).map((u) => [userKey(u.id), u]));
    return [...out, ...loaded];
  }

  async listIds(page: Page): Promise<string[]> {
    const { limit, offset } = pageBounds(page.limit, page.offset);
    let q = this.db.selectFrom('users').select('id');
    if (page.search) {
      const s = page.search;
      q = q.where((eb) => eb.or([containsCi('id', s), containsCi('display_name', s), containsCi('email', s)]));
    }
    const rows = await q.orderBy('id_lower').limit(limit).offset(offset).execute();
    return rows.map((r) => r.id);
  }

  async listIdsInGroups(groupIds: string[], page: Page): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const { limit, offset } = pageBounds(page.limit, page.offset);
    let q = this.db
      .selectFrom('users')
      .select('users.id')
      .where('users.id', 'in', (eb) => eb.selectFrom('group_members').select('user_id').where('group_id', 'in', groupIds));
    if (page.search) {
      const s = page.search;
      q = q.where((eb) => eb.or([containsCi('users.id', s), containsCi('users.display_name', s), containsCi('users.email', s)]));
    }
    const rows = await q.orderBy('users.id_lower').limit(limit).offset(offset).execute();
    return rows.map((r) => r.id);
  }

  async searchSharees(q: ShareeQuery): Promise<User[]> {
    if (q.within?.length === 0 || (q.match === 'equals' && q.search === '')) return [];
    const { limit, offset } = pageBounds(q.limit, q.offset);
    const by = q.match === 'equals' ? equalsCi : containsCi;
    let query = this.db.selectFrom('users').selectAll().where('enabled', '=', 1);
    if (q.except !== undefined) query = query.where('id_lower', '!=', q.except.toLowerCase());
    if (q.within) {
      const groups = q.within;
      query = query.where('id', 'in', (eb) => eb.selectFrom('group_members').select('user_id').where('group_id', 'in', groups));
    }
    if (q.search !== '') query = query.where((eb) => eb.or([by('id', q.search), by('display_name', q.search), by('email', q.search)]));
    const rows = await query.orderBy(sql`lower(display_name)`).orderBy('id_lower').limit(limit).offset(offset).execute();
    return rows.map(toUser);
  }

  async update(id: string, c: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<void> {
    const values: Updateable<UsersTable> = {};
    if (c.displayName !== undefined) values.display_name = c.displayName;
    if (c.email !== undefined) values.email = c.email;
    if (c.passwordHash !== undefined) values.password_hash = c.passwordHash;
    if (c.enabled !== undefined) values.enabled = c.enabled ? 1 : 0;
    if (c.quota !== undefined) values.quota = c.quota;
    if (c.language !== undefined) values.language = c.language;
    if (c.locale !== undefined) values.locale = c.locale;
    if (c.timezone !== undefined) values.timezone = c.timezone;
    if (c.manager !== undefined) values.manager = c.manager;
    if (c.profile !== undefined) values.profile = JSON.stringify(c.profile);
    if (c.firstLoginAt !== undefined) values.first_login_at = c.firstLoginAt;
    if (c.lastLoginAt !== undefined) values.last_login_at = c.lastLoginAt;
    if (Object.keys(values).length === 0) return;
    await cachedWrite(this.cx, this.db, [userKey(id)], (db) => db.updateTable('users').set(values).where('id', '=', id).execute());
  }

  /** Everything cached may mention the user (memberships, shares, app passwords go with the row): all of it is dropped. */
  async delete(id: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['*'], (db) => db.deleteFrom('users').where('id', '=', id).execute());
  }

  async storedRolesOf(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = await this.db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', ids.slice(i, i + IN_CHUNK)).execute();
      for (const r of rows) out.set(r.user_id, r.role);
    }
    return out;
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
