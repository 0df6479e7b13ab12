import sharp, { type Metadata } from 'sharp';
import { fail } from '../domain/errors.js';
import type { PreviewRenderer, PreviewRequest, RenderedPreview } from '../ports/previews.js';

/** What libvips is asked to decode for a preview (TIFF and AVIF besides the web's own); SVG and PDF are not rendered. */
const FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'avif', 'heif', 'tiff']);

export interface PreviewLimits {
  /** Source images with more pixels are refused from their header, before any decoding. */
  maxPixels: number;
  /** libvips stops working on one preview after this long. */
  timeoutSeconds: number;
}

/**
 * libvips through sharp, which decodes on its own threads, so a preview
 * never holds up the event loop: the first frame, turned as EXIF says,
 * scaled down into the box (or filling it, cut to it), as JPEG when the
 * source is a JPEG, PNG otherwise (as Nextcloud's previews keep the type).
 */
export class SharpPreviewRenderer implements PreviewRenderer {
  constructor(private readonly limits: PreviewLimits) {}

  async render(source: Buffer, request: PreviewRequest): Promise<RenderedPreview | null> {
    let meta: Metadata;
    try {
      meta = await sharp(source, { limitInputPixels: false }).metadata();
    } catch {
      return null;
    }
    if (!meta.format || !FORMATS.has(meta.format) || !meta.width || !meta.height) return null;
    // The header says how big the picture is: a decompression bomb stops here, before a pixel is decoded.
    if (meta.width * meta.height > this.limits.maxPixels) fail('invalidInput', `The image has ${meta.width} × ${meta.height} pixels, more than previews are made of`);
    const jpeg = meta.format === 'jpeg';
    const image = sharp(source, { limitInputPixels: this.limits.maxPixels, pages: 1, failOn: 'truncated' })
      .timeout({ seconds: this.limits.timeoutSeconds })
      .autoOrient()
      .resize(request.width, request.height, { fit: request.crop ? 'cover' : 'inside', withoutEnlargement: true });
    try {
      const bytes = jpeg ? await image.jpeg({ quality: 85, mozjpeg: false }).toBuffer() : await image.png({ compressionLevel: 6 }).toBuffer();
      return { bytes, mime: jpeg ? 'image/jpeg' : 'image/png' };
    } catch (err) {
      if (/timeout/i.test(String((err as Error).message))) fail('invalidInput', 'Making the preview took too long');
      // Bytes that look like an image but do not decode (a broken or truncated file): no preview, as for any other file.
      return null;
    }
  }
}
