import { useEffect, useState } from 'preact/hooks';

/**
 * The app's place is in its address's query, as Nextcloud's files app keeps
 * it (`?dir=/Photos`): `view` picks the screen (files when absent), the
 * screen reads its own parameters (`dir`, `space`, …). Back and forward work.
 */
const CHANGE = 'nimbus:navigate';

export function currentRoute(): URLSearchParams {
  return new URLSearchParams(location.search);
}

export function navigate(params: Record<string, string | undefined>, replace = false): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const url = `${location.pathname}${q.size ? `?${q.toString()}` : ''}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new Event(CHANGE));
}

/** Re-renders its component whenever the address changes (a link, navigate(), back or forward). */
export function useRoute(): URLSearchParams {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener(CHANGE, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** The href of a place, for real links (open in a new tab, copy the address). */
export function hrefOf(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  return `${location.pathname}${q.size ? `?${q.toString()}` : ''}`;
}
