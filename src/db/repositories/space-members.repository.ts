import type { Kysely, Selectable } from 'kysely';
import { type CacheContext, cachedRead, cachedWrite } from '../cache/cached.js';
import type { PrincipalType, SpaceMember } from '../../domain/space.js';
import type { SpaceMemberRepository } from '../../ports/repositories.js';
import type { Database, SpaceMembersTable } from '../schema.js';

const toMember = (r: Selectable<SpaceMembersTable>): SpaceMember => ({
  spaceId: r.space_id,
  principalType: r.principal_type as PrincipalType,
  principalId: r.principal_id,
  roleId: r.role_id,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
  invitedBy: r.invited_by,
});

// SQLite allows 32766 bound variables; stay well under on large listings.
const CHUNK = 900;

const membersKey = (spaceId: string): string => `members:${spaceId}`;

export class SpaceMembersRepository implements SpaceMemberRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: CacheContext,
  ) {}

  async upsert(m: SpaceMember): Promise<void> {
    await cachedWrite(this.cx, this.db, [membersKey(m.spaceId)], (db) => db
      .insertInto('space_members')
      .values({
        space_id: m.spaceId,
        principal_type: m.principalType,
        principal_id: m.principalId,
        role_id: m.roleId,
        expires_at: m.expiresAt,
        created_at: m.createdAt,
        invited_by: m.invitedBy,
      })
      .onConflict((oc) =>
        oc.columns(['space_id', 'principal_type', 'principal_id']).doUpdateSet({ role_id: m.roleId, expires_at: m.expiresAt }),
      )
      .execute());
  }

  async find(spaceId: string, principalType: string, principalId: string): Promise<SpaceMember | undefined> {
    const r = await this.db
      .selectFrom('space_members')
      .selectAll()
      .where('space_id', '=', spaceId)
      .where('principal_type', '=', principalType)
      .where('principal_id', '=', principalId)
      .executeTakeFirst();
    return r ? toMember(r) : undefined;
  }

  /** Every access check reads these; cached until a member of the space changes. */
  listForSpace(spaceId: string): Promise<SpaceMember[]> {
    return cachedRead(this.cx, membersKey(spaceId), async () => {
      const rows = await this.db.selectFrom('space_members').selectAll().where('space_id', '=', spaceId).orderBy('created_at').execute();
      return rows.map(toMember);
    });
  }

  async listForSpaces(spaceIds: string[]): Promise<SpaceMember[]> {
    const out: SpaceMember[] = [];
    for (let i = 0; i < spaceIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('space_members')
        .selectAll()
        .where('space_id', 'in', spaceIds.slice(i, i + CHUNK))
        .orderBy('created_at')
        .execute();
      for (const r of rows) out.push(toMember(r));
    }
    return out;
  }

  async listForSpacesOfPrincipal(userId: string, groupIds: string[]): Promise<SpaceMember[]> {
    const rows = await this.db
      .selectFrom('space_members')
      .selectAll()
      .where('space_id', 'in', (eb) =>
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
      .orderBy('created_at')
      .execute();
    return rows.map(toMember);
  }

  async listAll(): Promise<SpaceMember[]> {
    return (await this.db.selectFrom('space_members').selectAll().orderBy('created_at').execute()).map(toMember);
  }

  async remove(spaceId: string, principalType: string, principalId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, [membersKey(spaceId)], (db) =>
      db.deleteFrom('space_members').where('space_id', '=', spaceId).where('principal_type', '=', principalType).where('principal_id', '=', principalId).execute(),
    );
  }

  async removePrincipal(principalType: string, principalId: string): Promise<void> {
    await cachedWrite(this.cx, this.db, ['members:*'], (db) => db.deleteFrom('space_members').where('principal_type', '=', principalType).where('principal_id', '=', principalId).execute());
  }
}
