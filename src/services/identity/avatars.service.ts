import { AVATAR_PENDING_MS, AVATAR_RENDER_MAX, AVATAR_STORED_MAX, AVATAR_UPLOAD_LIMIT } from '../../domain/avatar.js';
import { fail } from '../../domain/errors.js';
import { assertValidPath } from '../../domain/file-names.js';
import type { User } from '../../domain/user.js';
import type { AvatarImages, CropBox, ImageInfo } from '../../ports/avatars.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { FilesService } from '../files/files.service.js';
import { AvatarVariants } from './avatar-variants.js';

export type AvatarFormat = 'png' | 'jpeg';

export interface RenderedAvatar {
  bytes: Buffer;
  contentType: 'image/png' | 'image/jpeg';
  /** Unquoted. */
  etag: string;
  /** Epoch milliseconds, or null when the image is made for the request (guests). */
  lastModified: number | null;
  /** An uploaded picture, not a generated one (X-NC-IsCustomAvatar). */
  custom: boolean;
  /** False when what is served depends on who asks: such an answer must not be cached for long (Nextcloud's canCacheAvatarLongTerm). */
  sameForEveryone: boolean;
}

/** Which uploads an entry point takes: Nextcloud's pages JPEG and PNG only; Graph any raster image. */
export type UploadAccepts = 'jpegOrPng' | 'raster';

/** Rendered sizes kept in memory by each process (a 512-pixel PNG is some tens of KiB). */
const VARIANT_CACHE_BYTES = 32 * 1024 * 1024;

const CONTENT_TYPE = { png: 'image/png', jpeg: 'image/jpeg' } as const;

/**
 * Users' avatars: the one writer of avatar rows. An upload is stored once,
 * as a square PNG of at most 512 pixels; every size served is scaled from
 * it (or generated from the display name when there is none) and kept in a
 * bounded per-process cache keyed by the row's version, which every change
 * bumps in the database.
 */
export class AvatarsService {
  private readonly variants = new AvatarVariants(VARIANT_CACHE_BYTES);

  constructor(
    private readonly ctx: ServiceContext,
    private readonly files: FilesService,
    private readonly images: AvatarImages,
  ) {}

  /**
   * The avatar of an account as `callerId` (null: anonymous) may see it. A
   * disabled account shows a guest's; an avatar whose scope is private shows
   * its generated image to everyone but its owner (Nextcloud's AvatarManager).
   */
  async avatar(callerId: string | null, userId: string, size: number, opts: { dark?: boolean; format?: AvatarFormat } = {}): Promise<RenderedAvatar> {
    const format = opts.format ?? 'png';
    const dark = opts.dark ?? false;
    const px = Math.max(1, Math.min(AVATAR_RENDER_MAX, Math.trunc(size)));
    const user = await this.ctx.repos.users.findById(userId);
    if (!user) return fail('notFound', 'user does not exist', 'userNotFound');
    if (!user.enabled) return this.guest(userId, px, dark, format);
    const hidden = isPrivate(user) && callerId !== user.id;
    const state = await this.ctx.repos.avatars.state(user.id);
    const version = state?.version ?? 0;
    const lastModified = state?.updatedAt ?? user.createdAt;
    if (state?.hasImage && !hidden) {
      const bytes = await this.variants.through(`c\0${user.id}\0${version}\0${px}\0${format}`, async () => {
        const png = await this.ctx.repos.avatars.image(user.id);
        return png ? this.images.codec.resize(png, px, format) : Buffer.alloc(0);
      });
      // Removed between the two reads: the generated one is the truth now.
      if (bytes.length > 0) {
        return { bytes, contentType: CONTENT_TYPE[format], etag: this.etag('c', user.id, version, px, format), lastModified, custom: true, sameForEveryone: true };
      }
    }
    const bytes = await this.generated(user.displayName, px, dark, format);
    const etag = this.etag('g', user.id, version, user.displayName, px, dark, format, hidden);
    return { bytes, contentType: CONTENT_TYPE[format], etag, lastModified, custom: false, sameForEveryone: !isPrivate(user) };
  }

  /** A generated avatar for any name, no account needed (Nextcloud's GuestAvatar). */
  async guest(name: string, size: number, dark: boolean, format: AvatarFormat = 'png'): Promise<RenderedAvatar> {
    const px = Math.max(1, Math.min(AVATAR_RENDER_MAX, Math.trunc(size)));
    const bytes = await this.generated(name, px, dark, format);
    return { bytes, contentType: CONTENT_TYPE[format], etag: this.etag('guest', name, px, dark, format), lastModified: null, custom: false, sameForEveryone: true };
  }

  /** The uploaded picture itself (LibreGraph's photo); notFound when there is none, as oCIS answers. */
  async photo(callerId: string, userId: string): Promise<{ bytes: Buffer; contentType: 'image/png'; etag: string }> {
    const user = await this.ctx.repos.users.findById(userId);
    if (!user) return fail('notFound', 'user does not exist', 'userNotFound');
    const state = await this.ctx.repos.avatars.state(user.id);
    const png = state?.hasImage && !(isPrivate(user) && callerId !== user.id) ? await this.ctx.repos.avatars.image(user.id) : undefined;
    if (!png) return fail('notFound', 'failed to get photo', 'avatarNotSet');
    return { bytes: png, contentType: 'image/png', etag: this.etag('c', user.id, state!.version) };
  }

  /**
   * The caller's new avatar from uploaded bytes. A square picture is stored
   * at once; any other is kept aside for `crop` and answered 'notSquare'
   * (Nextcloud's AvatarController::postAvatar).
   */
  async upload(userId: string, bytes: Buffer, accepts: UploadAccepts): Promise<'stored' | 'notSquare'> {
    const info = await this.decodable(bytes, accepts);
    const now = this.ctx.clock.now();
    if (info.width !== info.height) {
      await this.ctx.repos.avatars.setPending(userId, { bytes, expiresAt: now + AVATAR_PENDING_MS }, now);
      return 'notSquare';
    }
    await this.store(userId, bytes, undefined);
    return 'stored';
  }

  /** LibreGraph's PUT photo: any raster picture, its centred square taken when it is not square. */
  async setPhoto(userId: string, bytes: Buffer): Promise<void> {
    const info = await this.decodable(bytes, 'raster');
    const side = Math.min(info.width, info.height);
    const crop = info.width === info.height ? undefined : { x: Math.floor((info.width - side) / 2), y: Math.floor((info.height - side) / 2), w: side, h: side };
    await this.store(userId, bytes, crop);
  }

  /** The avatar from a picture in the caller's own files (postAvatar with `path`). */
  async uploadFromFile(userId: string, path: string): Promise<'stored' | 'notSquare'> {
    const segments = path.split('/').filter((s) => s !== '' && s !== '.');
    assertValidPath(segments);
    const place = await this.files.open(userId, userId, segments);
    const node = this.files.stat(place);
    if (!node) return fail('notFound', 'File not found', 'itemNotFound');
    if (node.type !== 'file') return fail('invalidInput', 'Please select a file.', 'notAnImage');
    if (node.size > AVATAR_UPLOAD_LIMIT) return fail('invalidInput', 'File is too big', 'imageTooLarge');
    if (node.mimeType !== 'image/jpeg' && node.mimeType !== 'image/png') return fail('invalidInput', 'The selected file is not an image.', 'notAnImage');
    const chunks: Buffer[] = [];
    for await (const chunk of await this.files.read(place)) chunks.push(chunk as Buffer);
    return this.upload(userId, Buffer.concat(chunks), 'jpegOrPng');
  }

  /** The kept-aside upload cut to a square (postCroppedAvatar). Coordinates are pixels of the picture as displayed. */
  async crop(userId: string, box: CropBox): Promise<void> {
    if (![box.x, box.y, box.w, box.h].every(Number.isFinite)) return fail('invalidInput', 'No valid crop data provided', 'invalidCrop');
    const pending = await this.ctx.repos.avatars.pending(userId);
    if (!pending || pending.expiresAt <= this.ctx.clock.now()) return fail('invalidInput', 'No temporary profile picture available, try again', 'noPendingAvatar');
    const info = await this.decodable(pending.bytes, 'raster');
    const x = Math.max(0, Math.round(box.x));
    const y = Math.max(0, Math.round(box.y));
    const w = Math.min(Math.round(box.w), info.width - x);
    const h = Math.min(Math.round(box.h), info.height - y);
    if (w < 1 || h < 1) return fail('invalidInput', 'No valid crop data provided', 'invalidCrop');
    if (w !== h) return fail('invalidInput', 'Crop is not square', 'cropNotSquare');
    await this.store(userId, pending.bytes, { x, y, w, h });
  }

  /** Back to the generated avatar; the version moves on so every cache lets the old one go. */
  async remove(userId: string): Promise<void> {
    await this.ctx.repos.avatars.put(userId, null, this.ctx.clock.now());
  }

  private async decodable(bytes: Buffer, accepts: UploadAccepts): Promise<ImageInfo> {
    if (bytes.length > AVATAR_UPLOAD_LIMIT) return fail('invalidInput', 'File is too big', 'imageTooLarge');
    if (bytes.length === 0) return fail('invalidInput', 'No image or file provided', 'notAnImage');
    const info = await this.images.codec.probe(bytes);
    if (!info) return fail('invalidInput', 'Invalid image', 'notAnImage');
    if (accepts === 'jpegOrPng' && info.format !== 'jpeg' && info.format !== 'png') return fail('invalidInput', 'Unknown filetype', 'unsupportedImageType');
    return info;
  }

  private async store(userId: string, bytes: Buffer, crop: CropBox | undefined): Promise<void> {
    const png = await this.images.codec.toPng(bytes, { crop, maxSize: AVATAR_STORED_MAX });
    if (!png) return fail('invalidInput', 'Invalid image', 'notAnImage');
    await this.ctx.repos.avatars.put(userId, png, this.ctx.clock.now());
  }

  private generated(name: string, px: number, dark: boolean, format: AvatarFormat): Promise<Buffer> {
    return this.variants.through(`g\0${name}\0${px}\0${dark}\0${format}`, () => this.images.renderer.render(name, px, dark, format));
  }

  private etag(...parts: Array<string | number | boolean>): string {
    return this.ctx.secrets.digest(parts.join('\0')).slice(0, 32);
  }
}

const isPrivate = (user: User): boolean => user.profile.scopes.avatarScope === 'v2-private';
