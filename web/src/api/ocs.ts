import { ApiError, BASE, call } from './http.js';
import type { TusSupport } from './tus.js';

/** An OCS v2 JSON call; the envelope's message becomes the error a person reads. */
export async function ocs<T>(method: string, route: string, body?: Record<string, string | string[]>, signal?: AbortSignal): Promise<T> {
  const sep = route.includes('?') ? '&' : '?';
  const res = await call({
    method,
    url: `${BASE}/ocs/v2.php/${route}${sep}format=json`,
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
    ...(signal ? { signal } : {}),
  });
  type Envelope = { ocs?: { meta?: { message?: string }; data?: T } };
  const parsed = (await res.json().catch(() => null)) as Envelope | null;
  if (!res.ok || !parsed?.ocs) {
    const message = parsed?.ocs?.meta?.message;
    throw new ApiError(message ? message : res.status >= 500 ? 'The server could not do this. Try again later.' : 'The server refused this request.', res.status);
  }
  return parsed.ocs.data as T;
}

export interface Me {
  id: string;
  displayname: string;
  email: string | null;
  quota: { used: number; total?: number; relative: number; quota: number };
  /** The groups the user is in, and those they administer as a subadmin (cloud/user carries both, as Nextcloud's getUserData). */
  groups?: string[];
  subadmin?: string[];
}

/** Admins are members of `admin`, as in Nextcloud; subadmins manage the users of their groups. */
export const isAdmin = (me: Me): boolean => !!me.groups?.includes('admin');
export const managesUsers = (me: Me): boolean => isAdmin(me) || (me.subadmin?.length ?? 0) > 0;

export const currentUser = (): Promise<Me> => ocs<Me>('GET', 'cloud/user');

export interface Capabilities {
  capabilities: { theming?: { name?: string }; files?: { chunked_upload?: { max_size?: number; max_parallel_count?: number }; tus_support?: TusSupport } };
}

export const capabilities = (): Promise<Capabilities> => ocs<Capabilities>('GET', 'cloud/capabilities');
