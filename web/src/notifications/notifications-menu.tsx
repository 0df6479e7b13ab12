import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, BASE, call, SignedOut, signInAgain } from '../api/http.js';
import { humanDate } from '../format.js';
import './notifications.css';

/** One action of a notification, as the notifications app's v2 API lists it: an absolute link and the method to call it with. */
interface Action {
  label: string;
  link: string;
  type: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'WEB';
  primary: boolean;
}

interface Notification {
  notification_id: number;
  subject: string;
  message: string;
  datetime: string;
  link: string;
  actions: Action[];
}

const LIST = `${BASE}/ocs/v2.php/apps/notifications/api/v2/notifications`;
const POLL_MS = 30_000;

/** The sentence an OCS answer carries when it refuses, or one of ours. */
async function refusal(res: Response, fallback: string): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { ocs?: { meta?: { message?: string } } } | null;
  const message = body?.ocs?.meta?.message;
  return new ApiError(message || (res.status >= 500 ? `${fallback} The server had a problem; try again later.` : fallback), res.status);
}

/**
 * The bell in the header: the unread count, polled every 30 s and whenever
 * the tab comes back into view. The list is asked for with the last ETag, so
 * an unchanged list costs a bodiless 304 (as Nextcloud's own client polls).
 */
export function NotificationsMenu() {
  const [items, setItems] = useState<Notification[]>([]);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const etag = useRef<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  const refresh = useCallback(async (force = false) => {
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (etag.current && !force) headers['If-None-Match'] = etag.current;
      const res = await call({ method: 'GET', url: `${LIST}?format=json`, headers });
      if (res.status === 304) return;
      if (!res.ok) throw await refusal(res, 'The notifications could not be loaded.');
      const body = (await res.json()) as { ocs: { data: Notification[] } };
      etag.current = res.headers.get('ETag');
      setItems(body.ocs.data);
    } catch (err) {
      if (err instanceof SignedOut) return signInAgain();
      setError(err instanceof ApiError ? err.message : 'The notifications could not be loaded.');
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);

  /** Runs one request, then lists again (a 304 would hide what it changed, so the list is asked for in full). */
  const act = async (what: string, run: () => Promise<Response>) => {
    setBusy(true);
    setError(null);
    try {
      const res = await run();
      if (!res.ok) throw await refusal(res, `Could not ${what}.`);
      await refresh(true);
    } catch (err) {
      if (err instanceof SignedOut) return signInAgain();
      setError(err instanceof ApiError ? err.message : `Could not ${what}.`);
    } finally {
      setBusy(false);
    }
  };
  const json = { Accept: 'application/json' };
  const dismiss = (n: Notification) => act('dismiss the notification', () => call({ method: 'DELETE', url: `${LIST}/${n.notification_id}?format=json`, headers: json }));
  const dismissAll = () => act('dismiss the notifications', () => call({ method: 'DELETE', url: `${LIST}?format=json`, headers: json }));
  const perform = (a: Action) => act(a.label.toLowerCase(), () => call({ method: a.type, url: a.link, headers: json }));

  const count = items.length;
  return (
    <div class="notifications" ref={box}>
      <button type="button" class="bell" aria-label={count ? `Notifications, ${count} unread` : 'Notifications'} aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}>
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
        </svg>
        {count > 0 && <span class="count" aria-hidden="true">{count > 99 ? '99+' : count}</span>}
      </button>
      {open && (
        <section class="panel" aria-label="Notifications">
          <header>
            <h2>Notifications</h2>
            {count > 0 && <button type="button" disabled={busy} onClick={dismissAll}>Dismiss all</button>}
          </header>
          {error && <p class="banner error" role="alert">{error}</p>}
          {count === 0 ? (
            <p class="muted">No notifications.</p>
          ) : (
            <ul>
              {items.map((n) => (
                <li key={n.notification_id} data-id={n.notification_id}>
                  <div class="head">
                    <strong class="subject">{n.link ? <a href={n.link}>{n.subject}</a> : n.subject}</strong>
                    <button type="button" class="dismiss" aria-label="Dismiss" title="Dismiss" disabled={busy} onClick={() => dismiss(n)}>×</button>
                  </div>
                  {n.message && <p class="message">{n.message}</p>}
                  <time dateTime={n.datetime}>{humanDate(Date.parse(n.datetime))}</time>
                  {n.actions.length > 0 && (
                    <div class="actions">
                      {n.actions.map((a) =>
                        a.type === 'WEB' ? (
                          <a key={a.label} class={`button${a.primary ? ' primary' : ''}`} href={a.link}>{a.label}</a>
                        ) : (
                          <button key={a.label} type="button" class={a.primary ? 'primary' : ''} disabled={busy} onClick={() => perform(a)}>{a.label}</button>
                        ),
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
