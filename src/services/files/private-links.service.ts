import { DomainError, fail } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { mountsOf, viewPathOf } from '../access/share-mounts.js';
import type { FilesService } from './files.service.js';

/** Which node a private link names: Nextcloud's numeric file id, or a space (and node) as oCIS's resource ids carry them. */
export type PrivateLinkRef = { fileId: number } | { spaceId: string; nodeId?: string };

/**
 * Where the caller sees a node: in their home (their own files, or a share
 * they received, under its mount name) or in a project space they belong to.
 */
export interface LinkedPlace {
  tree: { kind: 'home' } | { kind: 'space'; spaceId: string };
  /** Path inside that tree; [] is its root. */
  path: string[];
  node: FileNode;
}

const NOT_FOUND = 'File not found';

/**
 * Private links (`/f/{id}`, Nextcloud's files ViewController::showFile and
 * oCIS's webUrl): a node resolved to the place where this caller sees it.
 * Anything they cannot read — no such node, another user's file, a share
 * not accepted — is the same notFound, so a link tells nobody else anything.
 */
export class PrivateLinksService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly files: FilesService,
  ) {}

  async locate(userId: string, ref: PrivateLinkRef): Promise<LinkedPlace> {
    let spaceId: string;
    let nodeId: string;
    if ('fileId' in ref) {
      const stored = Number.isSafeInteger(ref.fileId) && ref.fileId > 0 ? await this.ctx.repos.nodes.byFileId(ref.fileId) : undefined;
      if (!stored) fail('notFound', NOT_FOUND);
      ({ spaceId, id: nodeId } = stored!);
    } else {
      spaceId = ref.spaceId;
      nodeId = ref.nodeId ?? ref.spaceId;
    }
    let place;
    let node: FileNode | null;
    try {
      place = await this.files.openById(userId, spaceId, nodeId);
      node = this.files.stat(place);
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'notFound' || err.code === 'forbidden')) fail('notFound', NOT_FOUND);
      throw err;
    }
    if (!node) fail('notFound', NOT_FOUND);
    if (place.space.id === userId) return { tree: { kind: 'home' }, path: [...place.path], node: node! };
    if (!place.access.viaShare && place.space.type === 'project') return { tree: { kind: 'space', spaceId: place.space.id }, path: [...place.path], node: node! };
    // Reached through shares only: Nextcloud shows the node where the share is mounted in the recipient's home.
    const inHome = viewPathOf(await mountsOf(this.ctx.repos, userId, this.ctx.clock.now()), userId, place.space.id, place.path);
    if (!inHome) fail('notFound', NOT_FOUND);
    return { tree: { kind: 'home' }, path: inHome!, node: node! };
  }
}
