import type { Kysely, Selectable } from 'kysely';
import type { NotificationRecord, NotificationRepository } from '../../ports/notifications.js';
import type { Database, NotificationsTable } from '../schema.js';

/** Ids stored as bigint; anything that is not a plain integer of safe size names no row. */
const rowId = (id: string): number | null => (/^\d{1,15}$/.test(id) ? Number(id) : null);

function parseParams(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const toRecord = (r: Selectable<NotificationsTable>): NotificationRecord => ({
  id: Number(r.id),
  userId: r.user_id,
  app: r.app,
  objectType: r.object_type,
  objectId: r.object_id,
  subject: r.subject,
  subjectParams: parseParams(r.subject_params),
  message: r.message,
  messageParams: parseParams(r.message_params),
  shareId: r.share_id === null ? null : String(r.share_id),
  remoteShareId: r.remote_share_id === null ? null : String(r.remote_share_id),
  createdAt: Number(r.created_at),
});

export class NotificationsRepository implements NotificationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: NotificationRecord[]): Promise<void> {
    const values = rows.map((n) => ({
      id: n.id,
      user_id: n.userId,
      app: n.app,
      object_type: n.objectType,
      object_id: n.objectId,
      subject: n.subject,
      subject_params: JSON.stringify(n.subjectParams),
      message: n.message,
      message_params: JSON.stringify(n.messageParams),
      share_id: n.shareId === null ? null : rowId(n.shareId),
      remote_share_id: n.remoteShareId === null ? null : rowId(n.remoteShareId),
      created_at: n.createdAt,
    }));
    for (let i = 0; i < values.length; i += 500) await this.db.insertInto('notifications').values(values.slice(i, i + 500)).execute();
  }

  async listForUser(userId: string, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  async byId(userId: string, id: number): Promise<NotificationRecord | undefined> {
    const row = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async delete(userId: string, ids: number[]): Promise<number> {
    if (!ids.length) return 0;
    const r = await this.db.deleteFrom('notifications').where('user_id', '=', userId).where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteForUser(userId: string): Promise<number> {
    const r = await this.db.deleteFrom('notifications').where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteForShare(shareId: string, userId?: string): Promise<void> {
    const id = rowId(shareId);
    if (id === null) return;
    let q = this.db.deleteFrom('notifications').where('share_id', '=', id);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    await q.execute();
  }

  async deleteForRemoteShare(remoteShareId: string): Promise<void> {
    const id = rowId(remoteShareId);
    if (id === null) return;
    await this.db.deleteFrom('notifications').where('remote_share_id', '=', id).execute();
  }
}
