import { afterAll, beforeAll, expect, it } from 'vitest';
import { navigationOf, type NavigationEntry } from '../../../src/domain/navigation.js';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { signIn } from '../web/signin-helpers.js';

describeEachDb('OCS core/navigation', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
  });
  afterAll(async () => t?.close());

  it('settings lists the personal pages in Nextcloud\'s entry shape, v1 and v2', async () => {
    for (const version of [1, 2] as const) {
      const res = await ocs(t.app, 'GET', '/core/navigation/settings', { as: alice, version });
      expect(res.statusCode).toBe(200);
      expect(res.ocs.data).toEqual([
        { id: 'settings', order: 1, href: '/account', icon: '/index.php/apps/theming/img/core/actions/user.svg', type: 'settings', name: 'Personal settings', active: false, classes: '', unread: 0 },
        { id: 'devices', order: 2, href: '/account/devices', icon: '/index.php/apps/theming/img/core/actions/devices.svg', type: 'settings', name: 'Devices & sessions', active: false, classes: '', unread: 0 },
      ]);
    }
  });

  it('apps lists the app pages: the files app', async () => {
    const res = await ocs(t.app, 'GET', '/core/navigation/apps', { as: alice });
    expect(res.statusCode).toBe(200);
    expect(res.ocs.data.map((e: { id: string; href: string; type: string }) => [e.id, e.href, e.type])).toEqual([['files', '/apps/files/', 'link']]);
    expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('absolute=true makes hrefs and icons absolute, and every entry is a page the user can open', async () => {
    const apps = await ocs(t.app, 'GET', '/core/navigation/apps?absolute=true', { as: alice });
    const res = await ocs(t.app, 'GET', '/core/navigation/settings?absolute=true', { as: alice });
    const b = await signIn(t.app, alice.user, alice.password);
    expect(apps.ocs.data.length).toBeGreaterThan(0);
    for (const e of [...apps.ocs.data, ...res.ocs.data]) {
      expect(e.href).toMatch(/^http:\/\/nimbus\.test\//);
      expect(e.icon).toMatch(/^http:\/\/nimbus\.test\/index\.php\/apps\/theming\/img\//);
      expect((await b.get(new URL(e.href).pathname)).statusCode, e.href).toBe(200);
      const icon = await t.app.inject({ url: new URL(e.icon).pathname });
      expect(icon.statusCode).toBe(200);
      expect(icon.headers['content-type']).toBe('image/svg+xml');
    }
    expect((await ocs(t.app, 'GET', '/core/navigation/settings?absolute=false', { as: alice })).ocs.data[0].href).toBe('/account');
  });

  it('answers 304 to its ETag, quoted or bare; another list has another tag', async () => {
    const first = await ocs(t.app, 'GET', '/core/navigation/settings', { as: alice });
    const etag = first.headers.etag as string;
    for (const inm of [etag, etag.replace(/"/g, '')]) {
      const again = await ocs(t.app, 'GET', '/core/navigation/settings', { as: alice, headers: { 'if-none-match': inm } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    const absolute = await ocs(t.app, 'GET', '/core/navigation/settings?absolute=true', { as: alice, headers: { 'if-none-match': etag } });
    expect(absolute.statusCode).toBe(200);
    expect(absolute.headers.etag).not.toBe(etag);
  });

  it('needs a signed-in user; no OCS-APIRequest header is needed (NoCSRFRequired)', async () => {
    for (const route of ['/core/navigation/apps', '/core/navigation/settings']) {
      const anon = await ocs(t.app, 'GET', route, { as: null });
      expect(anon.statusCode).toBe(401);
      expect(anon.ocs.meta.statuscode).toBe(997);
      expect((await ocs(t.app, 'GET', route, { as: { user: 'alice', password: 'nope' } })).statusCode).toBe(401);
      const bare = await t.app.inject({ url: `/ocs/v2.php${route}?format=json`, headers: { authorization: `Basic ${Buffer.from(`alice:${alice.password}`).toString('base64')}` } });
      expect(bare.statusCode).toBe(200);
    }
  });

  it('orders entries of a kind by order then name, and keeps kinds apart', () => {
    const entries: NavigationEntry[] = [
      { id: 'b', type: 'link', order: 2, name: 'B', path: '/b', icon: '/b.svg' },
      { id: 'files', type: 'link', order: 0, name: 'Files', path: '/apps/files/', icon: '/f.svg' },
      { id: 'a', type: 'link', order: 2, name: 'A', path: '/a', icon: '/a.svg' },
      { id: 's', type: 'settings', order: 1, name: 'S', path: '/s', icon: '/s.svg' },
    ];
    expect(navigationOf('link', entries).map((e) => e.id)).toEqual(['files', 'a', 'b']);
    expect(navigationOf('settings', entries).map((e) => e.id)).toEqual(['s']);
  });
});
