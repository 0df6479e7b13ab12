import { lockedError } from './errors.js';
import { type DavLock, type DavState, lockPath } from './state.js';

/** The place a lock check concerns: a location in a space (the request's SpaceTarget). */
interface LockedPlace {
  spaceId: string;
  /** Set when the space was seen to hold no lock at all when the request opened it: nothing to look up. */
  place?: { locksInSpace: boolean };
}

const noLocks = (t: LockedPlace): boolean => t.place?.locksInSpace === false;

/** What the lock rules need of the request (DavCall provides it; declared here so the two modules do not import each other). */
interface LockCaller<T extends LockedPlace> {
  readonly deps: { state: DavState };
  readonly userId: string;
  submittedTokens(): Set<string>;
  href(t: T, path: readonly string[], folder: boolean): string;
}

const isAncestorPath = (ancestor: string, path: string): boolean => ancestor === '' ? path !== '' : path.startsWith(`${ancestor}/`);
const parentPath = (path: string): string | null => (path === '' ? null : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/** Locks that apply to the resource at a path: rooted there, or at an ancestor with depth infinity (RFC 4918 §7). */
export async function locksCovering(call: { readonly deps: { state: DavState } }, t: LockedPlace, path: readonly string[]): Promise<DavLock[]> {
  if (noLocks(t)) return [];
  const p = lockPath(path);
  const near = await call.deps.state.locks.near(t.spaceId, p, false);
  return near.filter((l) => l.path === p || (isAncestorPath(l.path, p) && l.depth === 'infinity'));
}

export interface LockCheck {
  /** The change adds or removes a member of the parent collection (create, delete, move): a depth-0 lock on the parent counts too (RFC 4918 §7.4). */
  membership: boolean;
  /** The change reaches every member below the path (DELETE, MOVE of a collection; an overwritten destination). */
  descendants: boolean;
}

/**
 * 423 unless the client submitted, in its If header, the token of every lock
 * the change touches, as the user who took it (RFC 4918 §7.1, §10.4.1). One
 * token of a set of shared locks on the same root is enough.
 */
export async function assertUnlocked<T extends LockedPlace>(call: LockCaller<T>, t: T, path: readonly string[], check: LockCheck): Promise<void> {
  if (noLocks(t)) return;
  const p = lockPath(path);
  const parent = parentPath(p);
  const near = await call.deps.state.locks.near(t.spaceId, p, check.descendants);
  const relevant = near.filter(
    (l) =>
      l.path === p ||
      (isAncestorPath(l.path, p) && (l.depth === 'infinity' || (check.membership && l.path === parent))) ||
      (check.descendants && isAncestorPath(p, l.path)),
  );
  if (relevant.length === 0) return;
  const submitted = call.submittedTokens();
  const held = (l: DavLock) => submitted.has(l.token) && l.userId === call.userId;
  for (const l of relevant) {
    if (held(l)) continue;
    if (l.scope === 'shared' && relevant.some((o) => o.scope === 'shared' && o.path === l.path && held(o))) continue;
    // Written as the request's entry point shows it (a mount's name, a link's root), never the space path above it.
    throw lockedError(call.href(t, l.path === '' ? [] : l.path.split('/'), false));
  }
}
