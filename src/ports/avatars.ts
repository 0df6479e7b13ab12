/** A user's avatar row (migration 0012): the uploaded image, if any, and a version every change bumps. */
export interface AvatarState {
  userId: string;
  /** Bumped by every upload and removal, so caches keyed by it see a change at the next request. */
  version: number;
  hasImage: boolean;
  updatedAt: number;
}

/** A non-square upload waiting for its crop: the bytes as uploaded (already checked to decode). */
export interface PendingAvatar {
  bytes: Buffer;
  expiresAt: number;
}

export interface AvatarRepository {
  /** The version and whether an image is stored, without the image's bytes. */
  state(userId: string): Promise<AvatarState | undefined>;
  /** The stored PNG, if any. */
  image(userId: string): Promise<Buffer | undefined>;
  /** Stores (or, with null, removes) the image and bumps the version; the pending upload is dropped either way. */
  put(userId: string, png: Buffer | null, at: number): Promise<AvatarState>;
  pending(userId: string): Promise<PendingAvatar | undefined>;
  setPending(userId: string, pending: PendingAvatar | null, at: number): Promise<void>;
}

/** What the codec learned from the bytes alone. */
export interface ImageInfo {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  /** As displayed: EXIF orientation applied. */
  width: number;
  height: number;
}

export interface CropBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Raster images: decoding, cropping and scaling (src/images). */
export interface ImageCodec {
  /** The image's kind and size, or null when the bytes are not a raster image this server decodes. */
  probe(bytes: Buffer): Promise<ImageInfo | null>;
  /**
   * A PNG of the image as displayed (EXIF orientation applied), cut to the
   * crop box when given (clamped to the image), scaled down to fit `maxSize`
   * a side; null when the bytes do not decode.
   */
  toPng(bytes: Buffer, opts: { crop?: CropBox; maxSize: number }): Promise<Buffer | null>;
  /** A square PNG re-scaled to `size` a side, as PNG or JPEG. */
  resize(png: Buffer, size: number, format: 'png' | 'jpeg'): Promise<Buffer>;
}

/** Draws the generated avatar: letters on a colour from the name, the same on every machine. */
export interface AvatarRenderer {
  render(displayName: string, size: number, dark: boolean, format: 'png' | 'jpeg'): Promise<Buffer>;
}

export interface AvatarImages {
  codec: ImageCodec;
  renderer: AvatarRenderer;
}
