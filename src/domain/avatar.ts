/**
 * Avatars as Nextcloud draws and sizes them (lib/private/Avatar/Avatar.php,
 * core/Controller/AvatarController.php, apps/dav/lib/Avatars/AvatarHome.php).
 */

/** Uploads above this are refused before decoding (Nextcloud's AvatarController: 20 MiB). */
export const AVATAR_UPLOAD_LIMIT = 20 * 1024 * 1024;
/** The stored image is normalised to a square PNG of at most this many pixels a side. */
export const AVATAR_STORED_MAX = 512;
/** No rendering beyond this, whatever is asked (the DAV avatar collection's bound). */
export const AVATAR_RENDER_MAX = 1024;
/** A non-square upload waits this long for its crop (Nextcloud keeps tmpAvatar two hours). */
export const AVATAR_PENDING_MS = 2 * 60 * 60 * 1000;

/** The pages' routes serve two sizes only: 64 for anything up to 64, 512 above. */
export const pageAvatarSize = (requested: number): 64 | 512 => (requested <= 64 ? 64 : 512);

/** The DAV collection renders the size asked, from 1 to 1024. */
export const davAvatarSizeValid = (size: number): boolean => Number.isInteger(size) && size > 0 && size <= AVATAR_RENDER_MAX;

/** The first letter of the display name's first two words, upper-cased; "?" for an empty name. */
export function avatarText(displayName: string): string {
  if (displayName === '') return '?';
  const space = displayName.indexOf(' ');
  const parts = space < 0 ? [displayName] : [displayName.slice(0, space), displayName.slice(space + 1)];
  return parts.map((p) => (Array.from(p)[0] ?? '').toUpperCase()).join('');
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const rgb = (r: number, g: number, b: number): Rgb => ({ r, g, b });

/** Color::mixPalette: `steps` colours from a towards b (b itself excluded), components truncated as PHP's intval does. */
function mixPalette(steps: number, a: Rgb, b: Rgb): Rgb[] {
  const step = [(b.r - a.r) / steps, (b.g - a.g) / steps, (b.b - a.b) / steps] as const;
  const out = [a];
  for (let i = 1; i < steps; i++) out.push(rgb(Math.trunc(a.r + step[0] * i), Math.trunc(a.g + step[1] * i), Math.trunc(a.b + step[2] * i)));
  return out;
}

const STEPS = 6;
const RED = rgb(182, 70, 157);
const YELLOW = rgb(221, 203, 85);
const BLUE = rgb(0, 130, 201);
/** Nextcloud's 18 avatar colours: red to yellow to Nextcloud blue and back. */
export const AVATAR_PALETTE: readonly Rgb[] = [...mixPalette(STEPS, RED, YELLOW), ...mixPalette(STEPS, YELLOW, BLUE), ...mixPalette(STEPS, BLUE, RED)];

/**
 * The value Nextcloud hashes: the lower-cased name, unless it already looks
 * like an md5 (32 hex digits, optionally in dashed groups of four), which is
 * then used as the digest itself.
 */
export function colourSeed(name: string): { digestOf: string } | { digest: string } {
  const lower = name.toLowerCase();
  return /^([0-9a-f]{4}-?){8}$/.test(lower) ? { digest: lower.replace(/[^0-9a-f]+/g, '') } : { digestOf: lower };
}

/** The palette entry for a hex digest: the sum of its hex digits modulo the palette's size. */
export function paletteColour(hexDigest: string): Rgb {
  let sum = 0;
  for (const ch of hexDigest) sum += parseInt(ch, 16) % 16;
  return AVATAR_PALETTE[sum % AVATAR_PALETTE.length]!;
}

/** Color::alphaBlending(0.1, white or black): the background is the letters' colour at 10% over the theme's base. */
export function avatarBackground(fg: Rgb, dark: boolean): Rgb {
  const base = dark ? 0 : 255;
  const blend = (c: number) => Math.trunc(0.9 * base + 0.1 * c);
  return rgb(blend(fg.r), blend(fg.g), blend(fg.b));
}

export const hex = (c: Rgb): string => `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
