import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app's build: one entry, hashed file names under /web/assets/ (the
 * server gives them a year of caching), no inline scripts or styles so the
 * page's CSP can stay strict. The server rewrites the /web/ prefix when
 * Nimbus is served below a path.
 */
export default defineConfig({
  root: here,
  base: '/web/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
});
