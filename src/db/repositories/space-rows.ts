import type { Selectable } from 'kysely';
import type { Space, SpaceType } from '../../domain/space.js';
import type { SpacesTable } from '../schema.js';

/** A spaces row as the domain's Space (several repositories read the row). */
export const toSpace = (r: Selectable<SpacesTable>): Space => ({
  id: r.id,
  type: r.type as SpaceType,
  name: r.name,
  description: r.description,
  alias: r.alias,
  quotaTotal: r.quota_total === null ? null : Number(r.quota_total),
  ownerId: r.owner_id,
  createdAt: Number(r.created_at),
  mtime: Number(r.mtime),
  etag: r.etag,
  size: Number(r.size),
  disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
  specialReadme: r.special_readme,
  specialImage: r.special_image,
  rootFileId: Number(r.root_file_id),
});
