import type { Kysely, Selectable } from 'kysely';
import type { ActivityListQuery, ActivityRecord, ActivityRepository, ActivitySelection } from '../../ports/activity.js';
import type { ActivitiesTable, Database } from '../schema.js';

const toRecord = (r: Selectable<ActivitiesTable>): ActivityRecord => ({
  id: Number(r.id),
  affectedUser: r.affected_user,
  author: r.author,
  app: r.app,
  type: r.type,
  subject: r.subject,
  subjectParams: parseParams(r.subject_params),
  objectType: r.object_type,
  objectId: Number(r.object_id),
  objectName: r.object_name,
  link: r.link,
  createdAt: Number(r.created_at),
});

function parseParams(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class ActivitiesRepository implements ActivityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: ActivityRecord[]): Promise<void> {
    const values = rows.map((a) => ({
      id: a.id,
      affected_user: a.affectedUser,
      author: a.author,
      app: a.app,
      type: a.type,
      subject: a.subject,
      subject_params: JSON.stringify(a.subjectParams),
      object_type: a.objectType,
      object_id: a.objectId,
      object_name: a.objectName,
      link: a.link,
      created_at: a.createdAt,
    }));
    for (let i = 0; i < values.length; i += 500) await this.db.insertInto('activities').values(values.slice(i, i + 500)).execute();
  }

  private selected(userId: string, s: ActivitySelection) {
    let q = this.db.selectFrom('activities').where('affected_user', '=', userId);
    if (s.apps) q = s.apps.length ? q.where('app', 'in', [...s.apps]) : q.where('app', '=', '');
    if (s.author === 'self') q = q.where('author', '=', userId);
    // Events without an author (none recorded yet) count as someone else's, as Nextcloud's empty user does.
    if (s.author === 'others') q = q.where((eb) => eb.or([eb('author', 'is', null), eb('author', '<>', userId)]));
    if (s.objectType !== undefined) q = q.where('object_type', '=', s.objectType);
    if (s.objectId !== undefined) q = q.where('object_id', '=', s.objectId);
    return q;
  }

  async list(userId: string, query: ActivityListQuery): Promise<ActivityRecord[]> {
    let q = this.selected(userId, query).selectAll();
    if (query.since) q = q.where('id', query.sort === 'asc' ? '>' : '<', query.since);
    q = q.orderBy('id', query.sort).limit(query.limit);
    if (query.offset) q = q.offset(query.offset);
    const rows = await q.execute();
    return rows.map(toRecord);
  }

  async affectedUserOf(id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('activities').select('affected_user').where('id', '=', id).executeTakeFirst();
    return row?.affected_user;
  }

  async firstKnown(userId: string, selection: ActivitySelection, sort: 'asc' | 'desc'): Promise<number | null> {
    const row = await this.selected(userId, selection).select('id').orderBy('id', sort).limit(1).executeTakeFirst();
    return row ? Number(row.id) : null;
  }
}
