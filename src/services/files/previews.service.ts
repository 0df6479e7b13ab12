import { DomainError, fail } from '../../domain/errors.js';
import type { FileNode } from '../../domain/node.js';
import type { PreviewRenderer, RenderedPreview } from '../../ports/previews.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FilesApi, OpenedPlace } from '../access/files.contract.js';
import { mountsOf, resolveInView } from '../access/share-mounts.js';

/** The types previews are made of (what libvips decodes here); everything else has none, as Nextcloud's enabledPreviewProviders. */
const PREVIEWABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/heic', 'image/heif', 'image/tiff']);

/** Boxes are made in powers of two on their longer side (Nextcloud's Generator rounds up the same way), so a handful of sizes serve every request. */
const SMALLEST = 32;

export interface PreviewSettings {
  /** Longest side a preview is made with (Nextcloud's preview_max_x / preview_max_y). */
  maxSize: number;
  /** Files larger than this have no preview (Nextcloud's preview_max_filesize_image, in bytes). */
  maxFileSize: number;
}

export interface PreviewAsk {
  width: number;
  height: number;
  /** Fill the box and cut off the rest, else fit inside it. */
  crop: boolean;
}

export interface Preview extends RenderedPreview {
  /** Changes with the file's content and the size: an ETag for caches. */
  etag: string;
}

/**
 * Previews of pictures: made once per content and size, kept beside the
 * blob (removed with it, so a changed or deleted file takes its previews
 * along), and made at most once at a time per key in this process.
 */
export class PreviewsService {
  private readonly making = new Map<string, Promise<RenderedPreview | null>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly files: FilesApi,
    private readonly renderer: PreviewRenderer,
    private readonly settings: PreviewSettings,
  ) {}

  /** Nextcloud's fileId form: a node anywhere the caller can read it; anything else is the same notFound. */
  async ofFileId(userId: string, fileId: number, ask: PreviewAsk): Promise<Preview> {
    const stored = Number.isSafeInteger(fileId) && fileId > 0 ? await this.ctx.repos.nodes.byFileId(fileId) : undefined;
    if (!stored) fail('notFound', 'File not found');
    return this.preview(await hidden(this.files.openById(userId, stored!.spaceId, stored!.id)), ask);
  }

  /** Nextcloud's file form: a path of the caller's home, received shares mounted at its top. */
  async ofHomePath(userId: string, path: string[], ask: PreviewAsk): Promise<Preview> {
    const target = resolveInView(await mountsOf(this.ctx.repos, userId, this.ctx.clock.now()), userId, path);
    return this.preview(await hidden(this.files.open(userId, target.spaceId, target.path)), ask);
  }

  /** Whether a preview can be made of the node (nc:has-preview, and what the preview routes answer 404 to). */
  available(node: FileNode): boolean {
    return node.type === 'file' && node.blobId !== null && node.size > 0 && node.size <= this.settings.maxFileSize && PREVIEWABLE.has(node.mimeType);
  }

  /** The box a request is served with: its longer side rounded up to a power of two, within the largest size, aspect kept. */
  snap(width: number, height: number): { width: number; height: number } {
    const longest = Math.max(width, height);
    let side = SMALLEST;
    while (side < longest && side < this.settings.maxSize) side *= 2;
    side = Math.min(side, this.settings.maxSize);
    const scale = side / longest;
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }

  /** The preview of the file at the place: notFound when there is none to make, forbidden without read access. */
  async preview(place: OpenedPlace, ask: PreviewAsk): Promise<Preview> {
    if (!Number.isInteger(ask.width) || !Number.isInteger(ask.height) || ask.width < 1 || ask.height < 1) fail('invalidInput', 'The preview size must be a positive number of pixels');
    const node = this.files.stat(place);
    if (!node || !this.available(node)) fail('notFound', 'No preview is available for this file');
    const box = this.snap(ask.width, ask.height);
    const jpeg = node!.mimeType === 'image/jpeg';
    const key = `${box.width}x${box.height}-${ask.crop ? 'crop' : 'fit'}.${jpeg ? 'jpg' : 'png'}`;
    const blobId = node!.blobId!;
    const cached = await this.ctx.blobs.readDerived(blobId, key);
    const made = cached ? { bytes: cached, mime: jpeg ? ('image/jpeg' as const) : ('image/png' as const) } : await this.once(`${blobId}/${key}`, () => this.make(place, blobId, key, box, ask.crop));
    if (!made) fail('notFound', 'No preview is available for this file');
    return { ...made!, etag: `${node!.etag}-${key}` };
  }

  private async once(key: string, make: () => Promise<RenderedPreview | null>): Promise<RenderedPreview | null> {
    const running = this.making.get(key);
    if (running) return running;
    const promise = make().finally(() => this.making.delete(key));
    this.making.set(key, promise);
    return promise;
  }

  private async make(place: OpenedPlace, blobId: string, key: string, box: { width: number; height: number }, crop: boolean): Promise<RenderedPreview | null> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.files.read(place)) chunks.push(chunk as Buffer);
    const rendered = await this.renderer.render(Buffer.concat(chunks), { ...box, crop });
    if (rendered) await this.ctx.blobs.writeDerived(blobId, key, rendered.bytes);
    return rendered;
  }
}

/** A place the caller may not read is, to them, not there. */
async function hidden(opening: Promise<OpenedPlace>): Promise<OpenedPlace> {
  try {
    return await opening;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'forbidden') fail('notFound', 'File not found');
    throw err;
  }
}
