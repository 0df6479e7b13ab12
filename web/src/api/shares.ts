import { ocs } from './ocs.js';

/**
 * Nextcloud's sharing API (files_sharing/api/v1) as the web app uses it:
 * the shares of an item, the caller's outgoing and received shares,
 * pending ones to accept or decline, and the sharee search.
 */
const API = 'apps/files_sharing/api/v1';

/** Nextcloud's share types the app offers. */
export const SHARE_TYPE = { user: 0, group: 1, link: 3, remote: 6 } as const;

/** Nextcloud's permission bits. */
export const PERM = { read: 1, update: 2, create: 4, delete: 8, share: 16 } as const;

/** A share as formatShare writes it (only the keys the app reads). */
export interface Share {
  id: string;
  share_type: number;
  uid_owner: string;
  displayname_owner: string;
  permissions: number;
  expiration: string | null;
  token: string | null;
  label: string | null;
  /** The item's path in the caller's files (for a received share: where it is mounted). */
  path: string;
  item_type: 'file' | 'folder';
  share_with: string | null;
  share_with_displayname: string | null;
  password?: string | null;
  url?: string;
  hide_download: number;
  /** Received shares: 0 accepted, 1 pending, 2 declined. */
  state?: number;
}

export interface Sharee {
  label: string;
  shareType: number;
  shareWith: string;
  /** What tells two people of the same name apart (their email or user id). */
  detail: string;
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/** The caller's own shares of one item of their files (`/Reports`). */
export const sharesOf = (path: string): Promise<Share[]> => ocs<Share[]>('GET', `${API}/shares?${q({ path })}`);

/** Every share the caller made. */
export const outgoingShares = (): Promise<Share[]> => ocs<Share[]>('GET', `${API}/shares`);

/** Shares others made with the caller (accepted ones are mounted in their files). */
export const receivedShares = (): Promise<Share[]> => ocs<Share[]>('GET', `${API}/shares?${q({ shared_with_me: 'true' })}`);

export const pendingShares = (): Promise<Share[]> => ocs<Share[]>('GET', `${API}/shares/pending`);
export const acceptShare = (id: string): Promise<unknown> => ocs('POST', `${API}/shares/pending/${encodeURIComponent(id)}`);
export const declineShare = (id: string): Promise<unknown> => ocs('DELETE', `${API}/shares/pending/${encodeURIComponent(id)}`);

export interface NewShare {
  path: string;
  shareType: number;
  shareWith?: string;
  permissions?: number;
  password?: string;
}

export function createShare(s: NewShare): Promise<Share> {
  const body: Record<string, string> = { path: s.path, shareType: String(s.shareType) };
  if (s.shareWith !== undefined) body.shareWith = s.shareWith;
  if (s.permissions !== undefined) body.permissions = String(s.permissions);
  if (s.password) body.password = s.password;
  return ocs<Share>('POST', `${API}/shares`, body);
}

/** Changes what is given; `password: ''` removes the password, `expireDate: ''` the expiry. */
export interface ShareChange {
  permissions?: number;
  password?: string;
  expireDate?: string;
  label?: string;
  hideDownload?: boolean;
}

export function updateShare(id: string, c: ShareChange): Promise<Share> {
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined) body[k] = String(v);
  return ocs<Share>('PUT', `${API}/shares/${encodeURIComponent(id)}`, body);
}

export const removeShare = (id: string): Promise<unknown> => ocs('DELETE', `${API}/shares/${encodeURIComponent(id)}`);

interface RawSharee {
  label: string;
  shareWithDisplayNameUnique?: string;
  value: { shareType: number; shareWith: string };
}
type Bucket = { users?: RawSharee[]; groups?: RawSharee[] };

/** People and groups matching what was typed, exact matches first, each once. */
export async function searchSharees(search: string, itemType: 'file' | 'folder', signal?: AbortSignal): Promise<Sharee[]> {
  const route = `${API}/sharees?${q({ search, itemType, perPage: '20' })}&shareType[]=${SHARE_TYPE.user}&shareType[]=${SHARE_TYPE.group}`;
  const data = await ocs<Bucket & { exact?: Bucket }>('GET', route, undefined, signal);
  const all = [...(data.exact?.users ?? []), ...(data.exact?.groups ?? []), ...(data.users ?? []), ...(data.groups ?? [])];
  const seen = new Set<string>();
  const out: Sharee[] = [];
  for (const r of all) {
    const key = `${r.value.shareType}:${r.value.shareWith}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const detail = r.value.shareType === SHARE_TYPE.group ? 'Group' : (r.shareWithDisplayNameUnique ?? r.value.shareWith);
    out.push({ label: r.label, shareType: r.value.shareType, shareWith: r.value.shareWith, detail });
  }
  return out;
}
