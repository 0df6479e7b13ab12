import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opentype from 'opentype.js';
import sharp from 'sharp';
import { avatarBackground, avatarText, colourSeed, hex, paletteColour } from '../domain/avatar.js';
import type { AvatarRenderer } from '../ports/avatars.js';

/**
 * Noto Sans, the font Nextcloud draws avatars with, from the npm package
 * (its subsets: Latin, Cyrillic, Greek, Vietnamese), so the letters are the
 * same on every machine whatever fonts it has installed.
 */
const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'];

function loadFonts(): opentype.Font[] {
  const require = createRequire(import.meta.url);
  return SUBSETS.map((s) => {
    const file = readFileSync(require.resolve(`@fontsource/noto-sans/files/noto-sans-${s}-400-normal.woff`));
    return opentype.parse(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  });
}

/**
 * Nextcloud's SVG template, with the letters as outlines instead of text: a
 * 500-unit square, 280-unit letters centred on x = 250 with their baseline
 * at 350 (Noto Sans' cap height is 0.715 em, so capitals span 150..350).
 */
const VIEW = 500;
const FONT_SIZE = 280;
const BASELINE = 350;

export class LetterAvatarRenderer implements AvatarRenderer {
  private readonly fonts = loadFonts();

  /** Outlines of the text, centred; a character no subset has is drawn as "?". */
  outline(text: string): string {
    const glyphs = Array.from(text).map((ch) => {
      const font = this.fonts.find((f) => f.hasChar(ch));
      return font ? { font, ch } : { font: this.fonts[0]!, ch: '?' };
    });
    const advance = (g: { font: opentype.Font; ch: string }) => g.font.getAdvanceWidth(g.ch, FONT_SIZE);
    let x = VIEW / 2 - glyphs.reduce((w, g) => w + advance(g), 0) / 2;
    const parts: string[] = [];
    for (const g of glyphs) {
      parts.push(g.font.getPath(g.ch, x, BASELINE, FONT_SIZE).toPathData(2));
      x += advance(g);
    }
    return parts.join(' ');
  }

  svg(displayName: string, size: number, dark: boolean): string {
    const seed = colourSeed(displayName);
    const digest = 'digest' in seed ? seed.digest : createHash('md5').update(seed.digestOf, 'utf8').digest('hex');
    const fg = paletteColour(digest);
    const bg = avatarBackground(fg, dark);
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${VIEW} ${VIEW}">` +
      `<rect width="100%" height="100%" fill="${hex(bg)}"/><path fill="${hex(fg)}" d="${this.outline(avatarText(displayName))}"/></svg>`
    );
  }

  async render(displayName: string, size: number, dark: boolean, format: 'png' | 'jpeg'): Promise<Buffer> {
    const image = sharp(Buffer.from(this.svg(displayName, size, dark), 'utf8')).resize(size, size, { fit: 'fill' });
    return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
  }
}
