import { afterAll, beforeAll, expect, it } from 'vitest';
import { FILE_TYPE_ICONS, fileTypeIconOf } from '../../../src/domain/file-type-icons.js';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';

describeEachDb('theming: themed file-type icons', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind, { INSTANCE_COLOR: '#AA3300' });
  });
  afterAll(async () => t?.close());
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });

  it('serves every icon as SVG in the theming colour, with and without /index.php, cached a day with an ETag', async () => {
    for (const name of FILE_TYPE_ICONS) {
      for (const prefix of ['/index.php', '']) {
        const res = await get(`${prefix}/apps/theming/img/core/filetypes/${name}.svg`);
        expect(res.statusCode, name).toBe(200);
        expect(res.headers['content-type']).toBe('image/svg+xml');
        expect(res.headers['cache-control']).toBe('private, max-age=86400, immutable');
        expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
        expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="32" height="32"/);
        expect(res.body).toContain('#aa3300');
      }
    }
    const folder = await get('/apps/theming/img/core/filetypes/folder.svg');
    const file = await get('/apps/theming/img/core/filetypes/file.svg');
    expect(folder.body).not.toBe(file.body);
    expect(folder.headers.etag).not.toBe(file.headers.etag);
    for (const name of ['user', 'devices']) expect((await get(`/apps/theming/img/core/actions/${name}.svg`)).statusCode).toBe(200);
  });

  it('answers 304 to its own ETag, and anonymous callers get it too', async () => {
    const first = await get('/index.php/apps/theming/img/core/filetypes/image.svg');
    const again = await get('/index.php/apps/theming/img/core/filetypes/image.svg', { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await get('/index.php/apps/theming/img/core/filetypes/image.svg', { 'if-none-match': '"other"' })).statusCode).toBe(200);
  });

  it('is 404 for an unknown icon, another extension or a path trick, as Nextcloud IconController', async () => {
    for (const url of [
      '/apps/theming/img/core/filetypes/unicorn.svg',
      '/apps/theming/img/core/filetypes/folder.png',
      '/apps/theming/img/core/filetypes/folder',
      '/apps/theming/img/core/filetypes/..%2F..%2Fconfig.svg',
      '/apps/theming/img/core/filetypes/%2e%2e.svg',
      '/apps/theming/img/core/filetypes/folder.svg%00',
      '/apps/theming/img/core/actions/constructor.svg',
      '/apps/theming/img/core/actions/folder.svg',
      '/apps/theming/img/core/filetypes/sub/folder.svg',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.headers['content-type'], url).not.toBe('image/svg+xml');
    }
    expect((await get('/apps/theming/img/core/filetypes/unicorn.svg')).statusCode).toBe(404);
  });

  it('maps media types to icons through Nextcloud aliases, falling back to the generic file', () => {
    expect(fileTypeIconOf('httpd/unix-directory')).toBe('folder');
    expect(fileTypeIconOf('dir-shared')).toBe('folder-shared');
    expect(fileTypeIconOf('application/pdf')).toBe('application-pdf');
    expect(fileTypeIconOf('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('x-office-document');
    expect(fileTypeIconOf('text/csv')).toBe('x-office-spreadsheet');
    expect(fileTypeIconOf('application/zip')).toBe('package-x-generic');
    expect(fileTypeIconOf('application/json')).toBe('text-code');
    expect(fileTypeIconOf('image/heic')).toBe('image');
    expect(fileTypeIconOf('video/mp4')).toBe('video');
    expect(fileTypeIconOf('text/plain')).toBe('text');
    expect(fileTypeIconOf('application/octet-stream')).toBe('application');
    expect(fileTypeIconOf('chemical/x-pdb')).toBe('file');
  });
});
