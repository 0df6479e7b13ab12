import type { Readable } from 'node:stream';
import { DomainError, fail } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FilesService } from './files.service.js';
import type { OpenedPlace } from '../access/files.contract.js';

/** Nextcloud's bounds for `expirationTime` (apps/dav DirectController): more than 0, at most a day. */
export const MAX_DIRECT_LINK_SECONDS = 24 * 60 * 60;
/** 60 alphanumeric characters, as Nextcloud's ISecureRandom generates them. */
export const DIRECT_TOKEN_LENGTH = 60;
const TOKEN = /^[A-Za-z0-9]{60}$/;
// Same bound as for failed logins from one address across all accounts (auth.service).
const ADDRESS_FACTOR = 10;
// A distinct throttle key, so guessing links and guessing passwords are counted apart.
const throttleKey = (address: string): string => `direct:${address}`.slice(0, 64);

export interface DirectLink {
  token: string;
  expiresAt: number;
}

/** A link that resolved: the file as it is now, and its bytes read with the creator's access. */
export interface OpenedDirectLink {
  node: FileNode;
  read(range?: { start: number; end: number }): Promise<Readable>;
}

const NOT_FOUND = '';

/**
 * Direct download links (Nextcloud apps/dav DirectController and Direct/*):
 * a logged-in user asks for an unauthenticated URL to one of their files
 * that works until it expires. The link borrows its creator's access, which
 * is checked again on every download: a revoked grant, a deleted user or a
 * deleted file makes it 404 at once.
 */
export class DirectLinksService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly files: FilesService,
  ) {}

  /**
   * Checks in Nextcloud's order: the file (404 with an empty message), the
   * lifetime (400), then that it is a file (400). The configured lifetime
   * is the default and the most a request may ask for.
   */
  async create(userId: string, fileId: number, expirationSeconds?: number): Promise<DirectLink> {
    const stored = Number.isSafeInteger(fileId) && fileId > 0 ? await this.ctx.repos.nodes.byFileId(fileId) : undefined;
    if (!stored) fail('notFound', NOT_FOUND);
    const { node } = await this.readableOrNotFound(userId, stored!.spaceId, stored!.id);
    if (expirationSeconds !== undefined && !(Number.isInteger(expirationSeconds) && expirationSeconds > 0 && expirationSeconds <= MAX_DIRECT_LINK_SECONDS)) {
      fail('invalidInput', `Expiration time should be greater than 0 and less than or equal to ${MAX_DIRECT_LINK_SECONDS}`);
    }
    if (node.type !== 'file') fail('invalidInput', 'Direct download only works for files');

    const now = this.ctx.clock.now();
    const ttl = Math.min(expirationSeconds ?? this.ctx.settings.directLinkTtlSeconds, this.ctx.settings.directLinkTtlSeconds);
    const token = this.ctx.secrets.token(DIRECT_TOKEN_LENGTH);
    const expiresAt = now + ttl * 1000;
    // Links are made rarely and the expiry index makes this cheap: dead rows never pile up.
    await this.ctx.repos.directLinks.pruneExpired(now);
    await this.ctx.repos.directLinks.insert({ tokenHash: this.ctx.secrets.digest(token), userId, spaceId: node.spaceId, nodeId: node.id, expiresAt, createdAt: now });
    return { token, expiresAt };
  }

  /**
   * Resolves a token for an anonymous download. Unknown tokens count as
   * failed attempts of the client's address; past the limit every token is
   * refused (429), so a guesser cannot tell a hit from a miss.
   */
  async open(token: string, address: string): Promise<OpenedDirectLink> {
    const now = this.ctx.clock.now();
    const key = throttleKey(address);
    const failures = await this.ctx.repos.loginFailures.countSince(key, null, now - this.ctx.settings.loginFailureWindowMs);
    if (failures >= this.ctx.settings.loginMaxFailures * ADDRESS_FACTOR) fail('tooManyRequests', 'Reached maximum delay', 'throttled');

    const tokenHash = this.ctx.secrets.digest(token);
    const link = TOKEN.test(token) ? await this.ctx.repos.directLinks.findByTokenHash(tokenHash) : undefined;
    if (!link) {
      // Only unknown tokens are counted, as Nextcloud does: the token space is too large for expired ones to matter.
      await this.ctx.repos.loginFailures.record(key, '', now);
      fail('notFound', NOT_FOUND);
    }
    if (link!.expiresAt <= now) {
      await this.ctx.repos.directLinks.delete(tokenHash);
      fail('notFound', NOT_FOUND);
    }
    const user = await this.ctx.repos.users.findById(link!.userId);
    if (!user?.enabled) fail('notFound', NOT_FOUND);
    const { node, place } = await this.readableOrNotFound(link!.userId, link!.spaceId, link!.nodeId);
    if (node.type !== 'file') fail('notFound', NOT_FOUND);
    return {
      node,
      read: (range) => this.files.read(place, range),
    };
  }

  /** The node if the user may read it; anything else (no access, no such node, another space) is the same 404. */
  private async readableOrNotFound(userId: string, spaceId: string, nodeId: string): Promise<{ node: FileNode; place: OpenedPlace }> {
    try {
      const place = await this.files.openById(userId, spaceId, nodeId);
      const node = this.files.stat(place);
      if (!node) fail('notFound', NOT_FOUND);
      return { node: node!, place };
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'notFound' || err.code === 'forbidden')) fail('notFound', NOT_FOUND);
      throw err;
    }
  }
}
