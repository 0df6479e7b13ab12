/** Nextcloud's humanFileSize: binary multiples, one decimal from MB up. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit < 2 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "3 minutes ago" for recent changes, a date otherwise. */
export function humanDate(ms: number, now = Date.now()): string {
  if (!ms) return '';
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (seconds < 3600) return rtf.format(-Math.round(seconds / 60), 'minute');
  if (seconds < 86400) return rtf.format(-Math.round(seconds / 3600), 'hour');
  if (seconds < 7 * 86400) return rtf.format(-Math.round(seconds / 86400), 'day');
  return dateFormat.format(ms);
}

export const fullDate = (ms: number): string => (ms ? dateFormat.format(ms) : '');

/** "1.2 GB of 10 GB used", or only what is used when there is no limit (no total, or an OCS quota < 0). */
export function quotaText(q: { used: number; total?: number | null; quota?: number }): string {
  return (q.quota === undefined || q.quota >= 0) && q.total ? `${humanSize(q.used)} of ${humanSize(q.total)} used` : `${humanSize(q.used)} used`;
}
