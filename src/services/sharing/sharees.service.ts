import { DomainError, fail } from '../../domain/errors.js';
import { normalizeRemote, parseCloudId } from '../../domain/federation.js';
import type { Group } from '../../domain/group.js';
import { isExpired, SHARE_TYPE } from '../../domain/share.js';
import type { User } from '../../domain/user.js';
import type { ShareeQuery } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** Nextcloud's sharing.maxAutocompleteResults default (Constants::SHARING_MAX_AUTOCOMPLETE_RESULTS_DEFAULT): perPage never goes above it. */
export const MAX_SHAREE_RESULTS = 25;

/** A `user@server` recipient typed in full: nothing is asked of that server while searching. */
export interface RemoteSharee {
  shareWith: string;
  user: string;
  /** The server as Nextcloud's RemotePlugin shows it: without `https://`, with `http://`. */
  server: string;
}

export interface ShareeMatches<T> {
  exact: T[];
  wide: T[];
}

export interface ShareeSearch {
  search: string;
  itemType: string;
  /** The share types asked for; absent: all of them. */
  shareTypes?: number[];
  page: number;
  perPage: number;
}

export interface ShareeResults {
  users: ShareeMatches<User>;
  groups: ShareeMatches<Group>;
  remotes: ShareeMatches<RemoteSharee>;
  /** Another page has more (the Link header's next page). */
  hasMore: boolean;
  /** What was searched, as the next page's link repeats it. */
  shareTypes: number[];
  perPage: number;
}

/** One recipient the caller shared with, and how many of their shares went there. */
export interface Recommendation {
  type: number;
  shareWith: string;
  label: string;
  count: number;
}

const none = <T>(): ShareeMatches<T> => ({ exact: [], wide: [] });
const lower = (s: string | null | undefined): string => (s ?? '').toLowerCase();

/**
 * The share dialog's search for recipients (Nextcloud's ShareesAPIController
 * and its Collaborators plugins), by the admin's sharing policy: enumeration
 * of partial matches on or off or limited to the caller's groups, sharing
 * only within one's groups, group and federated sharing. The caller and
 * disabled accounts are never offered.
 */
export class ShareesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly publicUrl: string,
  ) {}

  private get settings() {
    return this.ctx.settings.sharing;
  }

  /** The types a share of this kind of item can go to here, narrowed to those asked for, in order (no mail, room or circle shares exist). */
  offeredTypes(itemType: string, asked?: number[]): number[] {
    const types: number[] = [SHARE_TYPE.user];
    if (this.settings.allowGroupSharing) types.push(SHARE_TYPE.group);
    if ((itemType === 'file' || itemType === 'folder') && this.ctx.settings.federation.outgoing) types.push(SHARE_TYPE.remote);
    return asked ? types.filter((t) => asked.includes(t)) : types;
  }

  async search(callerId: string, q: ShareeSearch): Promise<ShareeResults> {
    if (!Number.isInteger(q.page) || q.page < 1) fail('invalidInput', 'Invalid page');
    if (!Number.isInteger(q.perPage) || q.perPage < 1) fail('invalidInput', 'Invalid perPage argument');
    const perPage = Math.min(q.perPage, MAX_SHAREE_RESULTS);
    const offset = perPage * (q.page - 1);
    // Nextcloud's Search trims what was typed (pasted addresses carry spaces).
    const search = q.search.trim();
    const shareTypes = this.offeredTypes(q.itemType, q.shareTypes);
    const callerGroups = await this.ctx.repos.groups.groupsOfUser(callerId);
    const result: ShareeResults = { users: none(), groups: none(), remotes: none(), hasMore: false, shareTypes, perPage };
    if (shareTypes.includes(SHARE_TYPE.user)) {
      const users = await this.users(callerId, callerGroups, search, perPage, offset);
      result.users = users.matches;
      result.hasMore ||= users.hasMore;
    }
    if (shareTypes.includes(SHARE_TYPE.group)) {
      const groups = await this.groups(callerGroups, search, perPage, offset);
      result.groups = groups.matches;
      result.hasMore ||= groups.hasMore;
    }
    if (shareTypes.includes(SHARE_TYPE.remote) && offset === 0) result.remotes = await this.remotes(search);
    // Search::search: an address-like search that names a local user exactly needs no federated offer.
    if (search.includes('@') && result.users.exact.length) result.remotes = none();
    return result;
  }

  /** Enumeration limited to groups, or sharing only within them: the caller's groups bound the search. */
  private scope(callerGroups: string[]): string[] | undefined {
    return this.settings.onlyShareWithGroupMembers || this.settings.enumeration.restrictToGroup ? callerGroups : undefined;
  }

  private query(search: string, callerGroups: string[], limit: number, offset: number): ShareeQuery {
    // Without enumeration only whole ids, names and emails are found, wherever they sort (UserPlugin's full-match rule).
    const match = this.settings.enumeration.enabled ? 'contains' : 'equals';
    return { search, match, within: this.scope(callerGroups), limit: limit + 1, offset };
  }

  /** UserPlugin: partial matches in `wide` when enumeration allows it, whole ones in `exact`; page one also tries the search as a user id. */
  private async users(callerId: string, callerGroups: string[], search: string, limit: number, offset: number): Promise<{ matches: ShareeMatches<User>; hasMore: boolean }> {
    const repos = this.ctx.repos;
    const found = await repos.users.searchSharees({ ...this.query(search, callerGroups, limit, offset), except: callerId });
    const page = found.slice(0, limit);
    const s = lower(search);
    const isExact = (u: User) => s !== '' && (lower(u.id) === s || lower(u.displayName) === s || lower(u.email) === s);
    const matches: ShareeMatches<User> = { exact: page.filter(isExact), wide: this.settings.enumeration.enabled ? page.filter((u) => !isExact(u)) : [] };
    if (offset === 0 && s !== '' && !matches.exact.some((u) => lower(u.id) === s)) {
      const byId = await repos.users.findById(search);
      if (byId && byId.enabled && lower(byId.id) !== lower(callerId) && (await this.mayReachUser(callerGroups, byId.id))) matches.exact.push(byId);
    }
    return { matches, hasMore: found.length > limit };
  }

  private async mayReachUser(callerGroups: string[], userId: string): Promise<boolean> {
    if (!this.settings.onlyShareWithGroupMembers) return true;
    const theirs = await this.ctx.repos.groups.groupsOfUser(userId);
    return theirs.some((g) => callerGroups.includes(g));
  }

  /** GroupPlugin: the same rules for groups by id or display name; page one also tries the search as a group id. */
  private async groups(callerGroups: string[], search: string, limit: number, offset: number): Promise<{ matches: ShareeMatches<Group>; hasMore: boolean }> {
    const repos = this.ctx.repos;
    const found = await repos.groups.searchSharees(this.query(search, callerGroups, limit, offset));
    const page = found.slice(0, limit);
    const s = lower(search);
    const isExact = (g: Group) => s !== '' && (lower(g.id) === s || lower(g.displayName) === s);
    const matches: ShareeMatches<Group> = { exact: page.filter(isExact), wide: this.settings.enumeration.enabled ? page.filter((g) => !isExact(g)) : [] };
    if (offset === 0 && s !== '' && matches.exact.length === 0) {
      const byId = await repos.groups.findById(search);
      if (byId && (!this.settings.onlyShareWithGroupMembers || callerGroups.includes(byId.id))) matches.exact.push(byId);
    }
    return { matches, hasMore: found.length > limit };
  }

  /** RemotePlugin without an address book: a valid cloud id typed in full is offered as it is, unless it is a user of this server. */
  private async remotes(search: string): Promise<ShareeMatches<RemoteSharee>> {
    let cloud;
    try {
      cloud = parseCloudId(search);
    } catch (err) {
      if (err instanceof DomainError) return none();
      throw err;
    }
    if (cloud.remote === normalizeRemote(this.publicUrl) && (await this.ctx.repos.users.findById(cloud.user))) return none();
    return { exact: [{ shareWith: search, user: cloud.user, server: cloud.remote.replace(/^https:\/\//, '') }], wide: [] };
  }

  /**
   * ShareesAPIController::findRecommended: the recipients of the caller's
   * own unexpired shares of the offered types, most often used first (ties
   * in the order they were first shared with, users before groups before
   * remotes), five at most.
   */
  async recommended(callerId: string, itemType: string, asked?: number[]): Promise<Recommendation[]> {
    const types = this.offeredTypes(itemType, asked);
    const now = this.ctx.clock.now();
    const shares = (await this.ctx.repos.shares.byOwner(callerId)).filter((s) => types.includes(s.type) && s.shareWith && !isExpired(s, now));
    const tallies: Recommendation[] = [];
    for (const type of types) {
      const byRecipient = new Map<string, Recommendation>();
      for (const s of shares) {
        if (s.type !== type) continue;
        const seen = byRecipient.get(s.shareWith!);
        if (seen) seen.count++;
        else byRecipient.set(s.shareWith!, { type, shareWith: s.shareWith!, label: s.shareWith!, count: 1 });
      }
      tallies.push(...byRecipient.values());
    }
    await this.label(tallies);
    // Array.prototype.sort is stable: equal counts keep their order, as PHP's usort does.
    return tallies.sort((a, b) => b.count - a.count).slice(0, 5);
  }

  /** Users and groups are labelled with their display names; disabled users are left out like in the search. */
  private async label(top: Recommendation[]): Promise<void> {
    const users = new Map((await this.ctx.repos.users.findMany(top.filter((r) => r.type === SHARE_TYPE.user).map((r) => r.shareWith))).map((u) => [u.id, u]));
    const groups = new Map((await this.ctx.repos.groups.findMany(top.filter((r) => r.type === SHARE_TYPE.group).map((r) => r.shareWith))).map((g) => [g.id, g]));
    for (let i = top.length - 1; i >= 0; i--) {
      const r = top[i]!;
      if (r.type === SHARE_TYPE.user) {
        const u = users.get(r.shareWith);
        if (!u?.enabled) top.splice(i, 1);
        else r.label = u.displayName;
      } else if (r.type === SHARE_TYPE.group) {
        r.label = groups.get(r.shareWith)?.displayName ?? r.shareWith;
      }
    }
  }
}
