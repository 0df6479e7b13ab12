/** The API a URL belongs to: a bounded label for metrics (never the raw URL, which names users and files). */
export type ApiFamily = 'ocs' | 'graph' | 'dav' | 'web' | 'ops' | 'other';

export function apiFamilyOf(url: string): ApiFamily {
  if (url.startsWith('/ocs/') || url.startsWith('/status.php') || url.startsWith('/ocs-provider') || url.startsWith('/.well-known/')) return 'ocs';
  if (url.startsWith('/graph/')) return 'graph';
  if (url.startsWith('/remote.php/') || url.startsWith('/dav/') || url.startsWith('/public.php/') || url.startsWith('/remote.php?') || url === '/remote.php') return 'dav';
  if (url.startsWith('/healthz') || url.startsWith('/readyz') || url.startsWith('/metrics') || url.startsWith('/api/')) return 'ops';
  if (url === '/' || url.startsWith('/s/') || url.startsWith('/login') || url.startsWith('/apps/') || url.startsWith('/index.php') || url.startsWith('/web/') || url.startsWith('/assets/') || url.startsWith('/avatar') || url.startsWith('/logout') || url.startsWith('/settings')) return 'web';
  return 'other';
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH']);

/** The method as a label: anything outside HTTP and WebDAV's set is OTHER, so a client cannot invent label values. */
export const methodLabel = (method: string): string => (KNOWN_METHODS.has(method) ? method : 'OTHER');

export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;
