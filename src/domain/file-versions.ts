/** Whether overwrites keep versions, and the age (days) past which any version expires; null keeps them as long as the schedule and the size bound allow. */
export interface VersionSettings {
  enabled: boolean;
  maxAgeDays: number | null;
}

/**
 * An earlier content of a file: the bytes (a blob the version row holds, so
 * nothing is copied) and the metadata the file had then. `revision` names it
 * in URLs: the content's mtime in seconds, as Nextcloud names versions
 * (VersionFile::getName is the revision id, the timestamp), made unique per
 * file by counting up past the newest one when two share a second.
 */
export interface FileVersion {
  nodeId: string;
  revision: number;
  blobId: string;
  size: number;
  /** Epoch ms: the mtime the file had when this was its content. */
  mtime: number;
  etag: string;
  mimeType: string;
  checksums: string | null;
  /** Who wrote this content (null for content written before versions were recorded). */
  author: string | null;
  label: string | null;
  /** Epoch ms: when it stopped being the current content. */
  createdAt: number;
}

/**
 * Nextcloud's default expiry schedule (files_versions Storage /
 * Expiration: $max_versions_per_interval): up to 10 s old one version every
 * 2 s, up to a minute one every 10 s, up to an hour one a minute, up to a
 * day one an hour, up to 30 days one a day, then one a week.
 */
const INTERVALS: ReadonlyArray<{ endsAfter: number; step: number }> = [
  { endsAfter: 10, step: 2 },
  { endsAfter: 60, step: 10 },
  { endsAfter: 3600, step: 60 },
  { endsAfter: 86400, step: 3600 },
  { endsAfter: 2592000, step: 86400 },
  { endsAfter: -1, step: 604800 },
];

/** Nextcloud's size bound: versions never use more than this share of the free space (Storage::DEFAULTMAXSIZE, 50 %). */
export const VERSIONS_MAX_SHARE_OF_FREE = 0.5;

/**
 * The revisions of one file the schedule drops (Storage::getAutoExpireList):
 * walking from the newest, a version closer than the interval's step to the
 * last one kept goes; the newest always stays. Times in seconds.
 */
export function expiredBySchedule(revisions: ReadonlyArray<{ revision: number; time: number }>, nowSeconds: number): number[] {
  const sorted = [...revisions].sort((a, b) => b.time - a.time || b.revision - a.revision);
  if (sorted.length < 2) return [];
  const drop: number[] = [];
  let interval = 0;
  let step = INTERVALS[0]!.step;
  let intervalEnd = nowSeconds - INTERVALS[0]!.endsAfter;
  let prev = sorted[0]!.time;
  let next = prev - step;
  for (const v of sorted.slice(1)) {
    for (;;) {
      const open = INTERVALS[interval]!.endsAfter === -1;
      if (open || prev > intervalEnd) {
        if (v.time > next) drop.push(v.revision);
        else {
          next = v.time - step;
          prev = v.time;
        }
        break;
      }
      interval += 1;
      step = INTERVALS[interval]!.step;
      next = prev - step;
      intervalEnd = INTERVALS[interval]!.endsAfter === -1 ? -1 : nowSeconds - INTERVALS[interval]!.endsAfter;
    }
  }
  return drop;
}
