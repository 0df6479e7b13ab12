/** A preview as made: its bytes and their type. */
export interface RenderedPreview {
  bytes: Buffer;
  mime: 'image/png' | 'image/jpeg';
}

export interface PreviewRequest {
  /** The box asked for, already snapped to one of the sizes previews are made in. */
  width: number;
  height: number;
  /** Fill the box and cut off what sticks out (Nextcloud's a=0, oCIS's default), else fit inside it keeping the aspect ratio. */
  crop: boolean;
}

/**
 * Draws previews of raster images (src/images): EXIF orientation applied,
 * never enlarged, bounded work. Null when the bytes are not an image it
 * draws; an image past the pixel limit or the time limit is refused
 * (DomainError invalidInput), quickly.
 */
export interface PreviewRenderer {
  render(source: Buffer, request: PreviewRequest): Promise<RenderedPreview | null>;
}
