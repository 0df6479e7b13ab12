import { fail } from '../../domain/errors.js';
import { assertValidPath, joinPath } from '../../domain/file-names.js';
import type { FileNode } from '../../domain/node.js';
import { isExpired, type Share, SHARE_TYPE } from '../../domain/share.js';
import type { Space } from '../../domain/space.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { publicNode, rootNode } from '../access/file-tree.js';
import { linkCaller } from '../access/share-access.js';

/** A public link opened with its token (and password when it has one). */
export interface OpenedLink {
  share: Share;
  space: Space;
  /** The shared node: the root of everything the link reaches. */
  node: FileNode;
  /** Space-relative path of the shared node. */
  path: string[];
  /** Who the files layer sees: a pseudo-user whose only grant is this link. */
  caller: string;
}

/** Why opening failed, so each front door can answer as the reference does (401 ask again, 404 gone). */
export type LinkRefusal = 'unknown' | 'passwordRequired' | 'wrongPassword';

const THROTTLE_LOGIN = (token: string): string => `link:${token}`;

/**
 * Public links opened by token: expired or deleted links stop at once,
 * passwords are checked against their hash, and wrong tokens and passwords
 * count as failed logins from the caller's address (Nextcloud throttles
 * `public_webdav_auth` and the share page the same way).
 */
export class PublicLinksService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * The link with this token, whatever its password; null when it does not
   * exist, is not a link or has expired. `federated` also finds federated
   * shares, whose token is how the recipient's server reaches them (public
   * WebDAV only: they have no share page).
   */
  async byToken(token: string, federated = false): Promise<Share | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(token)) return null;
    const share = await this.ctx.repos.shares.byToken(token);
    const kindOk = share?.type === SHARE_TYPE.link || (federated && share?.type === SHARE_TYPE.remote);
    if (!share || !kindOk || isExpired(share, this.ctx.clock.now())) return null;
    return share;
  }

  /**
   * Opens a link for a request from `address`. A protected link needs its
   * password; `password` undefined means none was offered. Throws
   * tooManyRequests when the address has failed too often, notFound for an
   * unknown link, unauthenticated (reason passwordRequired) when a password
   * is missing or wrong.
   */
  async open(token: string, password: string | undefined, address: string, federated = false): Promise<OpenedLink> {
    const now = this.ctx.clock.now();
    await this.assertNotThrottled(address, token, now);
    const share = await this.byToken(token, federated);
    if (!share) {
      await this.ctx.repos.loginFailures.record(address, THROTTLE_LOGIN('?'), now);
      fail('notFound', 'The share does not exist or has expired');
    }
    if (share!.passwordHash) {
      if (password === undefined || password === '') fail('unauthenticated', 'This share is password protected', 'passwordRequired');
      if (!(await this.ctx.hasher.verify(password!, share!.passwordHash!))) {
        await this.ctx.repos.loginFailures.record(address, THROTTLE_LOGIN(token), now);
        fail('unauthenticated', 'Wrong password', 'passwordRequired');
      }
    }
    return this.resolve(share!);
  }

  /** The link's node and space, for a link already proven (a share-page session); notFound when they are gone. */
  async resolve(share: Share): Promise<OpenedLink> {
    const space = await this.ctx.repos.spaces.findById(share.spaceId);
    if (!space || space.disabledAt !== null) fail('notFound', 'The share does not exist or has expired');
    let node: FileNode;
    let path: string[];
    if (share.nodeId === share.spaceId) {
      node = publicNode(rootNode(space!));
      path = [];
    } else {
      const stored = await this.ctx.repos.nodes.byId(share.nodeId);
      if (!stored || stored.spaceId !== share.spaceId) fail('notFound', 'The share does not exist or has expired');
      node = publicNode(stored!);
      path = stored!.path.split('/');
    }
    return { share, space: space!, node, path, caller: linkCaller(share.id) };
  }

  /**
   * Where a file dropped on an upload-only link lands (Nextcloud's
   * FilesDropPlugin): `relative` is below the shared folder. Folders on the
   * way are used when they exist and listed in `folders` (space paths, in
   * order) when they must be created; a file in a folder's way means the
   * "name (n)" folder an earlier drop made, or a new one; the file itself takes
   * the first free name (`a.txt`, `a (2).txt`, …). A drop never overwrites
   * nor shows what the folder holds.
   */
  async dropPlan(link: OpenedLink, relative: string[]): Promise<{ folders: string[][]; path: string[] }> {
    assertValidPath(relative);
    const nodes = this.ctx.repos.nodes;
    const spaceId = link.space.id;
    let dir = link.path;
    let dirId = link.node.id;
    const folders: string[][] = [];
    for (const name of relative.slice(0, -1)) {
      if (folders.length) {
        folders.push((dir = [...dir, name]));
        continue;
      }
      const existing = await nodes.byPath(spaceId, joinPath([...dir, name]));
      if (existing?.type === 'folder') {
        ({ dir, dirId } = { dir: [...dir, name], dirId: existing.id });
        continue;
      }
      if (existing) {
        const earlier = (await nodes.children(dirId)).find((c) => c.type === 'folder' && c.name.startsWith(name) && /^ \(\d+\)$/.test(c.name.slice(name.length)));
        if (earlier) {
          ({ dir, dirId } = { dir: [...dir, earlier.name], dirId: earlier.id });
          continue;
        }
      }
      const parent = dir;
      folders.push((dir = [...parent, existing ? await freeName(name, (n) => this.exists(spaceId, [...parent, n])) : name]));
    }
    const last = relative[relative.length - 1]!;
    const parent = dir;
    const name = folders.length ? last : await freeName(last, (n) => this.exists(spaceId, [...parent, n]));
    return { folders, path: [...parent, name] };
  }

  private async exists(spaceId: string, path: string[]): Promise<boolean> {
    return (await this.ctx.repos.nodes.byPath(spaceId, joinPath(path))) !== undefined;
  }

  /**
   * A proof that a browser entered the password, to keep in a cookie: a
   * digest of the link and its salted password hash (secret, in the database
   * only), so every instance accepts it and it stops working when the
   * password changes or the link is deleted.
   */
  proofFor(share: Share): string {
    return this.ctx.secrets.digest(`share-proof:${share.id}:${share.token}:${share.passwordHash ?? ''}`);
  }

  checkProof(share: Share, proof: string | undefined): boolean {
    if (!share.passwordHash) return true;
    if (!proof) return false;
    // Comparing digests of both sides: how long the comparison takes says nothing about the expected value.
    return this.ctx.secrets.digest(proof) === this.ctx.secrets.digest(this.proofFor(share));
  }

  private async assertNotThrottled(address: string, token: string, now: number): Promise<void> {
    const since = now - this.ctx.settings.loginFailureWindowMs;
    const { forLogin, forAddress } = await this.ctx.repos.loginFailures.countsSince(address, THROTTLE_LOGIN(token), since);
    // Per link as for logins; per address a wider margin, so a page with many links is not locked out by one typo.
    if (forLogin >= this.ctx.settings.loginMaxFailures || forAddress >= this.ctx.settings.loginMaxFailures * 10) {
      fail('tooManyRequests', 'Too many attempts, try again later', 'throttled');
    }
  }
}

/**
 * The first name not taken, as Nextcloud's getNonExistingName: `a.txt`, then
 * `a (2).txt`, `a (3).txt`…; a name that already ends in `(n)` counts on from n.
 */
export async function freeName(name: string, taken: (candidate: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(name))) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  const numbered = /\((\d+)\)(?!.*\(\d+\))/.exec(stem);
  let counter = numbered ? Number(numbered[1]) + 1 : 2;
  for (;;) {
    const candidate = numbered ? `${stem.slice(0, numbered.index)}(${counter})${stem.slice(numbered.index + numbered[0].length)}${ext}` : `${stem} (${counter})${ext}`;
    if (!(await taken(candidate))) return candidate;
    counter++;
  }
}
