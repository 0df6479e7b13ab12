import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { RemoteShare } from '../../domain/federation.js';
import type { FileNode } from '../../domain/node.js';
import { SHARES_SPACE_ID, type Space } from '../../domain/space.js';
import type { FileAccess, FilesApi, OpenedPlace } from '../../services/access/files.contract.js';
import type { OpenedLink } from '../../services/sharing/public-links.service.js';
import { type Mount, resolveInView } from '../../services/access/share-mounts.js';
import type { Services } from '../../services/index.js';
import { DavError, forbidden, notFound } from './errors.js';
import { evaluateIf, type IfList, type IfResourceState, parseIfHeader, submittedTokens } from './if-header.js';
import { type DavLocation, hrefOf, parseDavPathname, pathnameOfHref } from './location.js';
import { locksCovering } from './locks.js';
import type { DavEnv } from './props/types.js';
import type { DavState } from './state.js';
import type { UploadsApi } from './uploads-api.js';

/** What the DAV front door is built from. */
export interface DavDeps {
  services: Services;
  files: FilesApi;
  state: DavState;
  uploads: UploadsApi;
  env: DavEnv;
}

/** A location inside a space the caller may read. */
export interface SpaceTarget {
  loc: DavLocation;
  spaceId: string;
  space: Space;
  access: FileAccess;
  /** The place opened for the caller (space, node, access): handed to every file operation of the request. */
  place: OpenedPlace;
  /** Space-relative path. */
  path: string[];
  /** Set when the location is inside a share mounted in the caller's home: hrefs then show the mount's name instead of the space path above it. */
  mount?: Mount;
  /** How space paths show in hrefs when the entry point does not start at the space root: a mount, a public link. */
  view?: HrefView;
  /** oCIS file links: the target is the collection oCIS wraps around the shared file, which holds that file only. */
  fileWrapper?: boolean;
}

/** Space paths below `spaceRoot` are written as `hrefRoot` followed by the rest. */
export interface HrefView {
  spaceRoot: readonly string[];
  hrefRoot: readonly string[];
}

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** Whether the target is the mount point itself (the shared node as the recipient sees it). */
export const isMountRoot = (t: SpaceTarget): boolean => t.mount !== undefined && samePath(t.path, t.mount.path);

/**
 * The share id of a share-jail space reference, as oCIS names a received
 * share: `{jail}${jail}!{shareId}` (ownCloud Web) or `{jail}!{shareId}`
 * (oCIS's search hrefs, reva storagespace.FormatReference without the
 * storage id); null for any other reference.
 */
export function shareJailId(ref: string): string | null {
  const bang = ref.indexOf('!');
  if (bang < 0) return null;
  const space = ref.slice(0, bang);
  if (space !== SHARES_SPACE_ID && space !== `${SHARES_SPACE_ID}$${SHARES_SPACE_ID}`) return null;
  return ref.slice(bang + 1) || null;
}

/** A hit's href in oCIS's share jail: what follows /remote.php/dav/spaces/ for a place below a received share. */
export const shareJailRef = (shareId: string): string => `${SHARES_SPACE_ID}!${shareId}`;

// POST: a TUS creation, a write of the file it names.
const WRITE_METHODS = new Set(['PUT', 'POST', 'MKCOL', 'PROPPATCH', 'DELETE', 'MOVE', 'COPY', 'LOCK', 'UNLOCK']);

/** One DAV request: the caller, the parsed location, and lookups cached for the request's lifetime. */
export class DavCall {
  private readonly places = new Map<string, Promise<OpenedPlace>>();
  /** The first place opened in each space: later paths of that space reuse the caller's view of it. */
  private readonly firstInSpace = new Map<string, Promise<OpenedPlace>>();
  private mountList: Promise<Mount[]> | undefined;
  private remoteMountList: Promise<RemoteShare[]> | undefined;
  private ifLists: IfList[] | null | undefined;

  constructor(
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    readonly deps: DavDeps,
    readonly userId: string,
    readonly loc: DavLocation,
    /** Set on the public entry points: the link the request opened; userId is then the link's pseudo-user. */
    readonly link: OpenedLink | null = null,
  ) {}

  get files(): FilesApi {
    return this.deps.files;
  }

  header(name: string): string | undefined {
    const v = this.request.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /**
   * A received share in oCIS's share jail, `spaces/{jail}!{shareId}/…` (the
   * href oCIS's search answers for hits in a share, and where ownCloud Web
   * opens a share): the shared node's space, below the node, hrefs under the
   * jail URL. Only the caller's accepted shares are there.
   */
  private async jailTarget(loc: DavLocation, shareId: string): Promise<SpaceTarget> {
    const mount = (await this.mounts()).find((m) => m.shares.some((s) => s.id === shareId));
    if (!mount) throw notFound('Space not found');
    const path = [...mount.path, ...loc.path];
    const place = await this.open(mount.spaceId, path);
    return { loc, spaceId: mount.spaceId, space: place.space, access: place.access, place, path, mount, view: { spaceRoot: mount.path, hrefRoot: [] } };
  }

  /** The space a location names, with the caller's access; a location outside any readable space is 404 (403 for writes into another user's files). */
  async target(loc: DavLocation = this.loc): Promise<SpaceTarget> {
    if (loc.family === 'public') return this.publicTarget(loc);
    const jailShare = loc.family === 'spaces' ? shareJailId(loc.ref) : null;
    if (jailShare !== null) return this.jailTarget(loc, jailShare);
    let spaceId = this.spaceIdOf(loc);
    let path = loc.path;
    let mount: Mount | undefined;
    // The caller's home shows the shares they received as folders and files at its top (Nextcloud's share mounts).
    if ((loc.family === 'webdav' || loc.family === 'files') && path.length > 0) {
      const view = resolveInView(await this.mounts(), this.userId, path);
      if (view.mount) ({ spaceId, path, mount } = { spaceId: view.spaceId, path: view.path, mount: view.mount });
    }
    const place = await this.open(spaceId, path);
    return { loc, spaceId, space: place.space, access: place.access, place, path, mount, view: mount && { spaceRoot: mount.path, hrefRoot: [mount.name] } };
  }

  /** A place of a space for the caller, opened once per request; the caller's grants on the space are worked out once too. */
  open(spaceId: string, path: readonly string[]): Promise<OpenedPlace> {
    const key = `${spaceId}\0${path.join('/')}`;
    let opened = this.places.get(key);
    if (!opened) {
      const first = this.firstInSpace.get(spaceId);
      opened = first ? first.then((p) => this.files.reopen(p, [...path])) : this.files.open(this.userId, spaceId, [...path]);
      if (!first) this.firstInSpace.set(spaceId, opened);
      this.places.set(key, opened);
    }
    return opened;
  }

  /**
   * A public link's location: its root is the shared node (Nextcloud roots the
   * link's DAV tree at it, a file included), nothing above it can be named.
   * oCIS wraps a shared file in a collection holding that file only.
   */
  private async publicTarget(loc: DavLocation): Promise<SpaceTarget> {
    const link = this.link;
    if (!link) throw notFound('Not a file location');
    const missing = () => notFound(`File with name ${loc.path[loc.path.length - 1] ?? ''} could not be located`);
    let hrefRoot: string[] = [];
    let fileWrapper = false;
    if (link.node.type === 'file') {
      if (loc.scheme === 'ocis') {
        hrefRoot = [link.node.name];
        if (loc.path.length === 0) fileWrapper = true;
        else if (loc.path.length !== 1 || loc.path[0] !== link.node.name) throw missing();
      } else if (loc.path.length > 0) throw missing();
    }
    const path = link.node.type === 'file' ? link.path : [...link.path, ...loc.path];
    const place = await this.open(link.space.id, path);
    return { loc, spaceId: link.space.id, space: place.space, access: place.access, place, path, view: { spaceRoot: link.path, hrefRoot }, fileWrapper };
  }

  /** The shares from other servers mounted in the caller's home, loaded once per request (none for link callers). */
  remoteMounts(): Promise<RemoteShare[]> {
    this.remoteMountList ??= this.link ? Promise.resolve([]) : this.deps.services.federation.mountsOf(this.userId);
    return this.remoteMountList;
  }

  /** The shares mounted in the caller's home, loaded once per request. */
  mounts(): Promise<Mount[]> {
    this.mountList ??= this.deps.services.shares.mountsOf(this.userId);
    return this.mountList;
  }

  private spaceIdOf(loc: DavLocation): string {
    switch (loc.family) {
      case 'webdav':
        return this.userId;
      case 'files':
        // Nextcloud serves only the caller's own home under files/<uid> (apps/dav Files\RootCollection).
        if (loc.ref !== this.userId) {
          throw WRITE_METHODS.has(this.request.method) && loc.path.length > 0
            ? forbidden('Permission denied to create or modify files of another user')
            : notFound(`File with name ${loc.path.join('/')} could not be located`);
        }
        return this.userId;
      case 'spaces': {
        const dollar = loc.ref.indexOf('$');
        if (dollar < 0) return loc.ref;
        if (loc.ref.slice(0, dollar) !== this.deps.env.storageId || loc.ref.includes('!')) throw notFound('Space not found');
        return loc.ref.slice(dollar + 1);
      }
      default:
        throw notFound('Not a file location');
    }
  }

  /** The node at a path, or null when nothing is there. A missing ancestor folder is also null. */
  async stat(t: SpaceTarget, path: readonly string[] = t.path): Promise<FileNode | null> {
    try {
      return this.files.stat(await this.placeAt(t, path));
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'notFound' || err.code === 'conflict')) return null;
      throw err;
    }
  }

  /** Another path of the target's space, opened with the caller's view of it. */
  placeAt(t: SpaceTarget, path: readonly string[]): Promise<OpenedPlace> {
    if (path.length === t.path.length && path.every((s, i) => s === t.path[i])) return Promise.resolve(t.place);
    return this.open(t.spaceId, path);
  }

  /** Like stat, but 404 with Nextcloud's message when nothing is there. */
  async mustStat(t: SpaceTarget, path: readonly string[] = t.path): Promise<FileNode> {
    const node = await this.stat(t, path);
    if (!node) throw notFound(`File with name ${path[path.length - 1] ?? ''} could not be located`);
    return node;
  }

  href(t: SpaceTarget, path: readonly string[], folder: boolean): string {
    if (t.view) return hrefOf(t.loc.base, [...t.view.hrefRoot, ...path.slice(t.view.spaceRoot.length)], folder);
    return hrefOf(t.loc.base, path, folder);
  }

  /**
   * Resolves a Destination or If-header href on this server to a location
   * (403 when it is not one of ours, as Sabre's calculateUri). A public link
   * reaches only below its own entry point, and users never through a link's.
   */
  locationOfHref(href: string): DavLocation {
    const pathname = pathnameOfHref(href);
    const loc = pathname === null ? null : parseDavPathname(pathname);
    const sameLink = (l: DavLocation) => l.family === 'public' && l.scheme === this.loc.scheme && l.ref === this.loc.ref;
    if (!loc || loc.family === 'root' || (this.link ? !sameLink(loc) : loc.family === 'public')) throw forbidden(`Requested uri (${href}) is out of base uri`);
    return loc;
  }

  /** The parsed If header, null when absent. */
  ifHeader(): IfList[] | null {
    if (this.ifLists === undefined) {
      const raw = this.header('if');
      this.ifLists = raw ? parseIfHeader(raw) : null;
    }
    return this.ifLists;
  }

  submittedTokens(): Set<string> {
    return submittedTokens(this.ifHeader());
  }

  /**
   * RFC 4918 §10.4: when an If header is present at least one of its lists
   * must hold, else 412. `self` gives the state of the request URI.
   */
  async checkIf(self: () => Promise<IfResourceState>): Promise<void> {
    const lists = this.ifHeader();
    if (!lists) return;
    const ok = await evaluateIf(lists, async (resource) => {
      if (resource === null) return self();
      let loc: DavLocation;
      try {
        loc = this.locationOfHref(resource);
      } catch {
        return null;
      }
      if (loc.family === 'uploads') return null;
      try {
        const t = await this.target(loc);
        const node = await this.stat(t);
        const locks = await locksCovering(this, t, t.path);
        return { etag: node ? `"${node.etag}"` : null, lockTokens: new Set(locks.map((l) => l.token)) };
      } catch (err) {
        if (err instanceof DavError || err instanceof DomainError) return null;
        throw err;
      }
    });
    if (!ok) throw new DavError(412, 'Sabre\\DAV\\Exception\\PreconditionFailed', 'An If-Header was specified, but none of the specified conditions were met');
  }
}
