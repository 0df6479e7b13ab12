import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DomainError } from '../../../src/domain/errors.js';
import type { FileNode, PathSegments } from '../../../src/domain/node.js';
import type { Space } from '../../../src/domain/space.js';
import type { DavLock, DavState } from '../../../src/http/dav/state.js';
import type { ChunkInfo, UploadInfo, UploadsApi } from '../../../src/http/dav/uploads-api.js';
import type { FileAccess, FilesApi, WriteOptions, WriteResult } from '../../../src/services/files.contract.js';

/** An in-memory file tree behind the FilesApi contract, for protocol tests that do not need the real files layer. */
export class MemoryFiles implements FilesApi {
  private nodes = new Map<string, FileNode & { data?: Buffer }>();
  private nextId = 1;
  quotaLimit: number | null = null;
  readonly spaces = new Map<string, { space: Space; members: Map<string, FileAccess['can']> }>();

  addSpace(id: string, ownerId: string, members: Record<string, FileAccess['can']>): void {
    const now = Date.now();
    const space: Space = {
      id, type: id === ownerId ? 'personal' : 'project', name: id, description: null, alias: id, quotaTotal: null, ownerId,
      createdAt: now, mtime: now, etag: randomUUID(), size: 0, disabledAt: null, specialReadme: null, specialImage: null, rootFileId: this.nextId,
    };
    this.spaces.set(id, { space, members: new Map(Object.entries(members)) });
    this.nodes.set(`${id}:`, { id, fileId: this.nextId++, spaceId: id, parentId: null, name: '', type: 'folder', size: 0, mtime: now, etag: randomUUID(), mimeType: 'httpd/unix-directory', checksums: null, blobId: null, createdAt: now });
  }

  private key = (spaceId: string, path: PathSegments) => `${spaceId}:${path.join('/')}`;
  private can(userId: string, spaceId: string) {
    const s = this.spaces.get(spaceId);
    const can = s?.members.get(userId);
    if (!s || !can) throw new DomainError('notFound', 'space not found');
    return can;
  }

  async openSpace(userId: string, spaceId: string) {
    const can = this.can(userId, spaceId);
    return { space: this.spaces.get(spaceId)!.space, access: { can } };
  }
  async stat(userId: string, spaceId: string, path: PathSegments): Promise<FileNode> {
    this.can(userId, spaceId);
    const n = this.nodes.get(this.key(spaceId, path));
    if (!n) throw new DomainError('notFound', 'not found');
    return n;
  }
  async children(userId: string, spaceId: string, folder: FileNode): Promise<FileNode[]> {
    this.can(userId, spaceId);
    return [...this.nodes.values()].filter((n) => n.parentId === folder.id && n.spaceId === spaceId).sort((a, b) => a.name.localeCompare(b.name));
  }
  async read(userId: string, spaceId: string, file: FileNode, range?: { start: number; end: number }): Promise<Readable> {
    this.can(userId, spaceId);
    const data = (file as FileNode & { data?: Buffer }).data ?? Buffer.alloc(0);
    return Readable.from([range ? data.subarray(range.start, range.end + 1) : data]);
  }
  private parent(spaceId: string, path: PathSegments) {
    const p = this.nodes.get(this.key(spaceId, path.slice(0, -1)));
    if (!p || p.type !== 'folder') throw new DomainError('conflict', 'parent missing');
    return p;
  }
  private touch(spaceId: string, path: PathSegments) {
    for (let i = path.length - 1; i >= 0; i--) {
      const n = this.nodes.get(this.key(spaceId, path.slice(0, i)));
      if (n) {
        n.etag = randomUUID();
        n.mtime = Date.now();
      }
    }
  }
  private used(spaceId: string) {
    let total = 0;
    for (const n of this.nodes.values()) if (n.spaceId === spaceId && n.type === 'file') total += n.size;
    return total;
  }
  async write(userId: string, spaceId: string, path: PathSegments, body: Readable, opts: WriteOptions): Promise<WriteResult> {
    const can = this.can(userId, spaceId);
    if (!can.write) throw new DomainError('forbidden', 'read only');
    const parent = this.parent(spaceId, path);
    if (opts.expectedSize !== undefined && this.quotaLimit !== null && this.used(spaceId) + opts.expectedSize > this.quotaLimit) throw new DomainError('quotaExceeded', 'quota');
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Buffer));
    const data = Buffer.concat(chunks);
    const k = this.key(spaceId, path);
    const existing = this.nodes.get(k);
    const now = Date.now();
    const node = existing ?? { id: randomUUID(), fileId: this.nextId++, spaceId, parentId: parent.id, name: path[path.length - 1]!, type: 'file' as const, size: 0, mtime: now, etag: '', mimeType: 'text/plain', checksums: null, blobId: null, createdAt: now };
    Object.assign(node, { data, size: data.length, etag: randomUUID().replace(/-/g, ''), mtime: opts.mtime ?? now, checksums: opts.checksum ?? null });
    this.nodes.set(k, node);
    this.touch(spaceId, path);
    return { node, created: !existing };
  }
  async mkdir(userId: string, spaceId: string, path: PathSegments): Promise<FileNode> {
    this.can(userId, spaceId);
    const parent = this.parent(spaceId, path);
    const k = this.key(spaceId, path);
    if (this.nodes.has(k)) throw new DomainError('conflict', 'exists');
    const now = Date.now();
    const node: FileNode = { id: randomUUID(), fileId: this.nextId++, spaceId, parentId: parent.id, name: path[path.length - 1]!, type: 'folder', size: 0, mtime: now, etag: randomUUID(), mimeType: 'httpd/unix-directory', checksums: null, blobId: null, createdAt: now };
    this.nodes.set(k, node);
    this.touch(spaceId, path);
    return node;
  }
  private subtree(spaceId: string, path: PathSegments) {
    const prefix = this.key(spaceId, path);
    return [...this.nodes.entries()].filter(([k]) => k === prefix || k.startsWith(`${prefix}/`));
  }
  async remove(userId: string, spaceId: string, path: PathSegments): Promise<void> {
    this.can(userId, spaceId);
    const list = this.subtree(spaceId, path);
    if (!list.length) throw new DomainError('notFound', 'not found');
    for (const [k] of list) this.nodes.delete(k);
    this.touch(spaceId, path);
  }
  async move(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean): Promise<WriteResult> {
    return this.transfer(userId, from, to, overwrite, true, 'infinity');
  }
  async copy(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean, depth: 0 | 'infinity'): Promise<WriteResult> {
    return this.transfer(userId, from, to, overwrite, false, depth);
  }
  private async transfer(userId: string, from: { spaceId: string; path: PathSegments }, to: { spaceId: string; path: PathSegments }, overwrite: boolean, isMove: boolean, depth: 0 | 'infinity'): Promise<WriteResult> {
    this.can(userId, from.spaceId);
    this.can(userId, to.spaceId);
    const parent = this.parent(to.spaceId, to.path);
    const src = this.subtree(from.spaceId, from.path);
    if (!src.length) throw new DomainError('notFound', 'not found');
    const existed = this.nodes.has(this.key(to.spaceId, to.path));
    if (existed && !overwrite) throw new DomainError('preconditionFailed', 'exists');
    if (existed) for (const [k] of this.subtree(to.spaceId, to.path)) this.nodes.delete(k);
    const srcPrefix = this.key(from.spaceId, from.path);
    const dstPrefix = this.key(to.spaceId, to.path);
    const idMap = new Map<string, string>();
    let root: FileNode | undefined;
    for (const [k, n] of src.sort((a, b) => a[0].length - b[0].length)) {
      if (!isMove && depth === 0 && k !== srcPrefix) continue;
      const copy = isMove ? n : { ...n, id: randomUUID(), fileId: this.nextId++ };
      idMap.set(n.id, copy.id);
      if (k === srcPrefix) {
        copy.parentId = parent.id;
        copy.name = to.path[to.path.length - 1]!;
        root = copy;
      } else copy.parentId = idMap.get(n.parentId!) ?? copy.parentId;
      copy.spaceId = to.spaceId;
      if (isMove) this.nodes.delete(k);
      this.nodes.set(dstPrefix + k.slice(srcPrefix.length), copy);
    }
    this.touch(to.spaceId, to.path);
    if (isMove) this.touch(from.spaceId, from.path);
    return { node: root!, created: !existed };
  }
  async quota(spaceId: string) {
    return { used: this.used(spaceId), limit: this.quotaLimit };
  }
}

export class MemoryState implements DavState {
  private lockList: DavLock[] = [];
  private propMap = new Map<string, Map<string, string>>();
  private live = () => (this.lockList = this.lockList.filter((l) => l.expiresAt > Date.now()));
  locks = {
    near: async (spaceId: string, path: string, descendants: boolean) =>
      this.live().filter((l) => l.spaceId === spaceId && (l.path === path || l.path === '' || path.startsWith(`${l.path}/`) || (descendants && (path === '' || l.path.startsWith(`${path}/`))))),
    onPaths: async (spaceId: string, paths: string[]) => this.live().filter((l) => l.spaceId === spaceId && paths.includes(l.path)),
    byToken: async (token: string) => this.live().find((l) => l.token === token),
    create: async (lock: DavLock) => void this.lockList.push(lock),
    refresh: async (token: string, timeout: number, expiresAt: number) => {
      for (const l of this.lockList) if (l.token === token) Object.assign(l, { timeout, expiresAt });
    },
    remove: async (token: string) => void (this.lockList = this.lockList.filter((l) => l.token !== token)),
    removeUnder: async (spaceId: string, path: string) =>
      void (this.lockList = this.lockList.filter((l) => !(l.spaceId === spaceId && (l.path === path || path === '' || l.path.startsWith(`${path}/`))))),
  };
  props = {
    list: async (ids: string[]) => new Map(ids.filter((id) => this.propMap.has(id)).map((id) => [id, new Map(this.propMap.get(id)!)])),
    patch: async (id: string, changes: Array<{ name: string; value: string | null }>) => {
      const m = this.propMap.get(id) ?? new Map<string, string>();
      for (const c of changes) if (c.value === null) m.delete(c.name);
      else m.set(c.name, c.value);
      this.propMap.set(id, m);
    },
  };
}

export class MemoryUploads implements UploadsApi {
  private ups = new Map<string, { info: UploadInfo; chunks: Map<string, { data: Buffer; mtime: number }> }>();
  async create(userId: string, uploadId: string, info: Omit<UploadInfo, 'createdAt'>) {
    const k = `${userId}/${uploadId}`;
    if (this.ups.has(k)) return false;
    this.ups.set(k, { info: { ...info, createdAt: Date.now() }, chunks: new Map() });
    return true;
  }
  async info(userId: string, uploadId: string) {
    return this.ups.get(`${userId}/${uploadId}`)?.info ?? null;
  }
  async putChunk(userId: string, uploadId: string, name: string, body: Readable) {
    const u = this.ups.get(`${userId}/${uploadId}`)!;
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c as Buffer));
    const created = !u.chunks.has(name);
    u.chunks.set(name, { data: Buffer.concat(parts), mtime: Date.now() });
    return { size: u.chunks.get(name)!.data.length, created };
  }
  private sorted(userId: string, uploadId: string) {
    const u = this.ups.get(`${userId}/${uploadId}`)!;
    return [...u.chunks.entries()].sort(([a], [b]) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  }
  async chunks(userId: string, uploadId: string): Promise<ChunkInfo[]> {
    return this.sorted(userId, uploadId).map(([name, c]) => ({ name, size: c.data.length, mtime: c.mtime }));
  }
  async open(userId: string, uploadId: string) {
    return Readable.from(this.sorted(userId, uploadId).map(([, c]) => c.data));
  }
  async remove(userId: string, uploadId: string) {
    this.ups.delete(`${userId}/${uploadId}`);
  }
}
