/**
 * Every call the web app makes goes to Nimbus's public APIs with the session
 * cookie; unsafe methods carry the session's CSRF token as `requesttoken`,
 * as Nextcloud's own web pages send it.
 */

const SAFE = new Set(['GET', 'HEAD', 'PROPFIND', 'OPTIONS']);

/** Where Nimbus is served (a path below the host when behind a proxy), from the page the server rendered. */
export const BASE = document.querySelector<HTMLMetaElement>('meta[name="nimbus-base"]')?.content ?? '';

let csrf: string | null = null;

/** A failed call, already worded for a person; `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class SignedOut extends ApiError {}

async function csrfToken(): Promise<string> {
  if (csrf) return csrf;
  const res = await send(`${BASE}/csrftoken`, { method: 'GET' });
  if (res.status === 401) throw new SignedOut('Your session has ended. Sign in again.', 401);
  if (!res.ok) throw new ApiError('The server did not hand out a request token.', res.status);
  csrf = ((await res.json()) as { token: string }).token;
  return csrf;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError('The server cannot be reached. Check your connection and try again.', 0);
  }
}

/** Headers an unsafe call needs: the CSRF token, and Nextcloud's OCS marker. */
export async function authHeaders(method: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'OCS-APIRequest': 'true' };
  if (!SAFE.has(method)) headers.requesttoken = await csrfToken();
  return headers;
}

export interface Call {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  signal?: AbortSignal;
}

/** One call; a 401 means the session is gone (the app then sends the person to sign in). */
export async function call(c: Call): Promise<Response> {
  const headers = { ...(await authHeaders(c.method)), ...c.headers };
  const res = await send(c.url, { method: c.method, headers, body: c.body ?? null, signal: c.signal ?? null });
  if (res.status === 401) throw new SignedOut('Your session has ended. Sign in again.', 401);
  return res;
}

export function signInAgain(): void {
  const here = location.pathname + location.search;
  location.assign(`${BASE}/login?redirect_url=${encodeURIComponent(here)}`);
}
