import sharp, { type Sharp } from 'sharp';
import type { CropBox, ImageCodec, ImageInfo } from '../ports/avatars.js';

/** Raster formats taken as pictures; SVG and the rest are refused (oCIS sniffs for image/*, Nextcloud takes JPEG and PNG only). */
const RASTER = new Set(['png', 'jpeg', 'gif', 'webp']);
/** Decompression bombs stop here: 40 megapixels, twice a high-end phone's photo. */
const MAX_PIXELS = 40_000_000;

const open = (bytes: Buffer): Sharp => sharp(bytes, { failOn: 'error', limitInputPixels: MAX_PIXELS, pages: 1 });

/** libvips through sharp: decodes PNG, JPEG, GIF and WebP, applies EXIF orientation, crops and scales. */
export class SharpImageCodec implements ImageCodec {
  async probe(bytes: Buffer): Promise<ImageInfo | null> {
    try {
      const meta = await open(bytes).metadata();
      if (!meta.format || !RASTER.has(meta.format) || !meta.width || !meta.height) return null;
      // The header alone proves little: the whole image must decode (a small copy costs little).
      await open(bytes).resize(16, 16, { fit: 'inside' }).raw().toBuffer();
      const turned = (meta.orientation ?? 1) >= 5;
      return { format: meta.format as ImageInfo['format'], width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height };
    } catch {
      return null;
    }
  }

  async toPng(bytes: Buffer, opts: { crop?: CropBox; maxSize: number }): Promise<Buffer | null> {
    const info = await this.probe(bytes);
    if (!info) return null;
    let image = open(bytes).autoOrient();
    if (opts.crop) {
      const left = Math.max(0, Math.min(info.width - 1, Math.round(opts.crop.x)));
      const top = Math.max(0, Math.min(info.height - 1, Math.round(opts.crop.y)));
      const width = Math.max(1, Math.min(info.width - left, Math.round(opts.crop.w)));
      const height = Math.max(1, Math.min(info.height - top, Math.round(opts.crop.h)));
      // Oriented first, so the box is in the coordinates of the picture as it is seen.
      image = sharp(await image.toBuffer()).extract({ left, top, width, height });
    }
    return image.resize(opts.maxSize, opts.maxSize, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  }

  async resize(png: Buffer, size: number, format: 'png' | 'jpeg'): Promise<Buffer> {
    const image = sharp(png).resize(size, size, { fit: 'fill' });
    return format === 'png' ? image.png().toBuffer() : image.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
  }
}
