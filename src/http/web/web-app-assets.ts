import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { textColorFor } from '../../domain/theming.js';
import { esc } from './html.js';

/** The project folder: the nearest one up from this module that holds package.json (source and built runs alike). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above the server module');
    dir = up;
  }
  return dir;
}

/** Where `npm run build` puts the web app (Vite's output of web/). */
export const WEB_APP_DIR = path.join(projectRoot(), 'dist', 'web');
export const WEB_ASSETS_DIR = path.join(WEB_APP_DIR, 'assets');

/** The stylesheet carrying the theming colour, so the app's own CSS (and CSP) stay static. */
export function themeCss(color: string): { css: string; version: string } {
  const css = `:root{--primary:${color};--primary-text:${textColorFor(color)}}\n`;
  return { css, version: createHash('sha256').update(css).digest('hex').slice(0, 12) };
}

export interface Shell {
  html: string;
}

/**
 * The app's HTML page: Vite's index.html with the base path (Nimbus may be
 * served below a path), the theme stylesheet and the instance's name. Read
 * once; null when the web app has not been built.
 */
export function loadShell(opts: { basePath: string; instanceName: string; color: string }): Shell | null {
  const file = path.join(WEB_APP_DIR, 'index.html');
  if (!existsSync(file)) return null;
  const built = readFileSync(file, 'utf8');
  const { version } = themeCss(opts.color);
  const head = [
    `<meta name="nimbus-base" content="${esc(opts.basePath)}">`,
    `<link rel="stylesheet" href="${esc(opts.basePath)}/web/theme.css?v=${version}">`,
  ].join('\n');
  const html = built
    .replaceAll('"/web/', `"${opts.basePath}/web/`)
    .replace('<title>Files</title>', `<title>Files - ${esc(opts.instanceName)}</title>`)
    .replace('</head>', `${head}\n</head>`);
  return { html };
}

/** The app runs only its own files: scripts, styles and calls to this server, nothing inline, never framed. */
export const WEB_APP_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
