import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { dav, mkcol, put } from '../dav/dav-helpers.js';
import { csrfOf, deleteLink, expectPage, expectSecurityHeaders, form, Jar, multipart, newLink, web } from './web-helpers.js';
import { readZip } from './zip-reader.js';

const home = (path: string) => `/remote.php/dav/files/admin/${path.split('/').map(encodeURIComponent).join('/')}`;
/** A name that would run if written unescaped ('/' cannot be in a name, so the script tag itself spans a folder and its file). */
const XSS = '<img src=x onerror=alert(1)>.txt';
const XSS_ESCAPED = '&#60;img src=x onerror=alert(1)&#62;.txt';
const GONE = 'This share does not exist or is no longer available';
const PW = 'Share-Page-Pass-7';

describeEachDb('public share page /s/{token}', (kind) => {
  let t: TestApp;
  let fileLink: string;
  let folderLink: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await put(t.app, home('single.txt'), 'hello shared world');
    await mkcol(t.app, home('docs'));
    await put(t.app, home('docs/a.txt'), 'alpha');
    await mkcol(t.app, home('docs/sub'));
    await put(t.app, home('docs/sub/b.txt'), 'bravo!');
    await mkcol(t.app, home('docs/sub/deeper'));
    await put(t.app, home(`docs/${XSS}`), 'x');
    fileLink = (await newLink(t, { path: '/single.txt' })).token;
    folderLink = (await newLink(t, { path: '/docs' })).token;
  });
  afterAll(async () => t?.close());

  describe('reading', () => {
    it('shows a shared file with its name, size and a download button', async () => {
      const body = expectPage(await web(t, `/s/${fileLink}`), 200);
      expect(body).toContain('<title>single.txt - Nimbus</title>');
      expect(body).toContain('<h1>single.txt</h1>');
      expect(body).toContain('18 B');
      expect(body).toContain(`href="/s/${fileLink}/download"`);
      expect(body).not.toContain('<form');
    });

    it('downloads the shared file with ranges and validators, as WebDAV GET', async () => {
      const res = await web(t, `/s/${fileLink}/download`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('hello shared world');
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''single.txt; filename="single.txt"`);
      expectSecurityHeaders(res);
      const part = await web(t, `/s/${fileLink}/download`, { headers: { range: 'bytes=6-11' } });
      expect(part.statusCode).toBe(206);
      expect(part.body).toBe('shared');
      expect((await web(t, `/s/${fileLink}/download`, { headers: { 'if-none-match': String(res.headers.etag) } })).statusCode).toBe(304);
      const bad = await web(t, `/s/${fileLink}/download`, { headers: { range: 'bytes=100-' } });
      expectPage(bad, 416);
      expect(bad.headers['content-range']).toBe('bytes */18');
      // A file link has nothing below it.
      expectPage(await web(t, `/s/${fileLink}/download?path=/x`), 404);
    });

    it('lists a shared folder: folders first, sizes, dates, links into subfolders and to each file', async () => {
      const body = expectPage(await web(t, `/s/${folderLink}`), 200);
      expect(body).toContain('<h1>docs</h1>');
      const names = [...body.matchAll(/<tr><td><a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]);
      expect(names).toEqual(['sub/', XSS_ESCAPED, 'a.txt']);
      expect(body).toContain(`href="/s/${folderLink}?path=%2Fsub"`);
      expect(body).toContain(`href="/s/${folderLink}/download?path=%2Fa.txt"`);
      expect(body).toContain(`href="/s/${folderLink}/download" download>Download folder (zip)`);
      expect(body).toContain('<td class="num">5 B</td>');
      expect(body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    });

    it('navigates into a subfolder with breadcrumbs back to the top', async () => {
      const body = expectPage(await web(t, `/s/${folderLink}?path=/sub`), 200);
      expect(body).toContain('<h1>sub</h1>');
      expect(body).toContain(`<a href="/s/${folderLink}">docs</a>`);
      expect(body).toContain(`href="/s/${folderLink}?path=%2Fsub%2Fdeeper">deeper/</a>`);
      expect(body).toContain(`href="/s/${folderLink}/download?path=%2Fsub%2Fb.txt">b.txt</a>`);
      const empty = expectPage(await web(t, `/s/${folderLink}?path=%2Fsub%2Fdeeper`), 200);
      expect(empty).toContain('This folder is empty.');
      const file = expectPage(await web(t, `/s/${folderLink}?path=/sub/b.txt`), 200);
      expect(file).toContain(`href="/s/${folderLink}/download?path=%2Fsub%2Fb.txt"`);
      expectPage(await web(t, `/s/${folderLink}?path=/nope`), 404);
    });

    it('downloads the folder as a ZIP whose central directory holds every entry with its bytes', async () => {
      const res = await web(t, `/s/${folderLink}/download`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/zip');
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''docs.zip; filename="docs.zip"`);
      expect(res.headers['content-length']).toBeUndefined();
      const entries = readZip(res.rawPayload);
      expect(entries.map((e) => e.name)).toEqual(['docs/', 'docs/sub/', 'docs/sub/deeper/', 'docs/sub/b.txt', `docs/${XSS}`, 'docs/a.txt']);
      const byName = new Map(entries.map((e) => [e.name, e.data.toString('utf8')]));
      expect(byName.get('docs/a.txt')).toBe('alpha');
      expect(byName.get('docs/sub/b.txt')).toBe('bravo!');
      expect(byName.get(`docs/${XSS}`)).toBe('x');
      expect(entries.every((e) => !e.zip64)).toBe(true);
    });

    it('downloads a subfolder as its own ZIP, and single files with Nextcloud\'s files= parameter', async () => {
      const res = await web(t, `/s/${folderLink}/download?path=/sub`);
      expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''sub.zip; filename="sub.zip"`);
      expect(readZip(res.rawPayload).map((e) => [e.name, e.size])).toEqual([['sub/', 0], ['sub/deeper/', 0], ['sub/b.txt', 6]]);
      const one = await web(t, `/s/${folderLink}/download?path=/sub&files=b.txt`);
      expect(one.statusCode).toBe(200);
      expect(one.body).toBe('bravo!');
      const head = await web(t, `/s/${folderLink}/download?path=/sub`, { method: 'HEAD' });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
    });
  });

  describe('password-protected links', () => {
    let token: string;
    beforeAll(async () => {
      token = (await newLink(t, { path: '/docs', password: PW })).token;
    });

    it('asks for the password and shows nothing of the folder until it is given', async () => {
      const jar = new Jar();
      const body = expectPage(await web(t, `/s/${token}`, { jar }), 200);
      expect(body).toContain('This share is password-protected');
      expect(body).toContain(`action="/s/${token}/authenticate"`);
      expect(body).toContain('type="password"');
      expect(body).not.toContain('a.txt');
      expect(jar.header().cookie).toMatch(/^nimbus_share_csrf=/);
      const dl = await web(t, `/s/${token}/download`, { jar });
      expectPage(dl, 403);
      expect(dl.body).toContain('type="password"');
      expect(dl.body).not.toContain('alpha');
    });

    it('takes the right password: an HttpOnly SameSite=Lax cookie for the link only, then the page and its downloads', async () => {
      const jar = new Jar();
      const prompt = await web(t, `/s/${token}?path=/sub`, { jar });
      const csrf = csrfOf(prompt.body);
      expect(prompt.body).toContain('name="path" value="/sub"');
      const res = await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: PW, path: '/sub' }), jar });
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe(`/s/${token}?path=%2Fsub`);
      const cookie = [res.headers['set-cookie']].flat().find((c) => c!.startsWith('nimbus_share_auth='))!;
      expect(cookie).toMatch(new RegExp(`^nimbus_share_auth=[0-9a-f]{64}; Path=/s/${token}; HttpOnly; SameSite=Lax$`));
      expect(cookie).not.toContain(PW);
      const page = expectPage(await web(t, `/s/${token}?path=/sub`, { jar }), 200);
      expect(page).toContain('b.txt');
      const zip = await web(t, `/s/${token}/download`, { jar });
      expect(readZip(zip.rawPayload).find((e) => e.name === 'docs/a.txt')?.data.toString()).toBe('alpha');
      // The cookie of one link opens no other.
      const other = (await newLink(t, { path: '/docs', password: PW })).token;
      expect((await web(t, `/s/${other}`, { headers: { cookie: jar.header().cookie!.replaceAll(token, other) } })).body).toContain('type="password"');
    });

    it('re-asks with Nextcloud\'s message on a wrong password, and refuses forms without the page\'s token', async () => {
      const jar = new Jar();
      const csrf = csrfOf((await web(t, `/s/${token}`, { jar })).body);
      const wrong = await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: 'nope' }), jar, remoteAddress: '198.51.100.20' });
      expect(expectPage(wrong, 403)).toContain('The password is wrong or expired. Please check it and try again.');
      expect(wrong.headers['set-cookie'] ?? '').not.toContain('nimbus_share_auth');
      // No token, a token from another browser, or no cookie at all: refused before the password is looked at.
      expect(expectPage(await web(t, `/s/${token}/authenticate`, { ...form({ password: PW }), jar }), 403)).toContain('Form expired');
      expectPage(await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: PW }) }), 403);
      const otherJar = new Jar();
      await web(t, `/s/${token}`, { jar: otherJar });
      expectPage(await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: PW }), jar: otherJar }), 403);
    });

    it('throttles wrong passwords per address: past the limit even the right one gets the 429 page', async () => {
      const jar = new Jar();
      const csrf = csrfOf((await web(t, `/s/${token}`, { jar })).body);
      const from = '198.51.100.77';
      for (let i = 0; i < 10; i++) {
        expect((await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: `wrong-${i}` }), jar, remoteAddress: from })).statusCode).toBe(403);
      }
      const locked = await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: PW }), jar, remoteAddress: from });
      expect(expectPage(locked, 429)).toContain('Too many requests');
      expectPage(await web(t, `/s/${token}`, { remoteAddress: from }), 429);
      // Another address is not affected.
      expect((await web(t, `/s/${token}/authenticate`, { ...form({ requesttoken: csrf, password: PW }), jar, remoteAddress: '198.51.100.78' })).statusCode).toBe(303);
    });

    it('stops honouring the cookie when the password changes', async () => {
      const link = await newLink(t, { path: '/single.txt', password: PW });
      const jar = new Jar();
      const csrf = csrfOf((await web(t, `/s/${link.token}`, { jar })).body);
      await web(t, `/s/${link.token}/authenticate`, { ...form({ requesttoken: csrf, password: PW }), jar });
      expect((await web(t, `/s/${link.token}/download`, { jar })).body).toBe('hello shared world');
      await ocs(t.app, 'PUT', `/apps/files_sharing/api/v1/shares/${link.id}`, { body: { password: 'Another-Pass-Word-8' } });
      expectPage(await web(t, `/s/${link.token}/download`, { jar }), 403);
    });
  });

  describe('hidden downloads', () => {
    it('hides every download button and refuses the download routes', async () => {
      const { token } = await newLink(t, { path: '/docs', hideDownload: 'true' });
      const body = expectPage(await web(t, `/s/${token}`), 200);
      expect(body).toContain('a.txt');
      expect(body).not.toContain('/download');
      expectPage(await web(t, `/s/${token}/download`), 403);
      expectPage(await web(t, `/s/${token}/download?path=/a.txt`), 403);
    });
  });

  describe('uploads', () => {
    async function upload(token: string, parts: Parameters<typeof multipart>[0], path = '', jar = new Jar()) {
      const mp = multipart(parts);
      return web(t, `/s/${token}/upload${path}`, { method: 'POST', headers: mp.headers, payload: mp.payload, jar });
    }

    it('an edit link uploads into the folder shown, keeps both on a name clash, and replaces only when asked', async () => {
      await mkcol(t.app, home('edit'));
      await put(t.app, home('edit/a.txt'), 'old');
      const { token } = await newLink(t, { path: '/edit', permissions: 15 });
      const jar = new Jar();
      const page = expectPage(await web(t, `/s/${token}`, { jar }), 200);
      expect(page).toContain(`action="/s/${token}/upload"`);
      expect(page).toContain('enctype="multipart/form-data"');
      expect(page).toContain('name="replace"');
      const csrf = csrfOf(page);
      const res = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'a.txt', content: 'new' }, { name: 'files', filename: 'c.txt', content: 'ccc' }], '', jar);
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe(`/s/${token}?uploaded=2`);
      expect(expectPage(await web(t, res.headers.location!, { jar }), 200)).toContain('2 files were uploaded.');
      expect((await dav(t.app, 'GET', home('edit/a.txt'))).body).toBe('old');
      expect((await dav(t.app, 'GET', home('edit/a (2).txt'))).body).toBe('new');
      expect((await dav(t.app, 'GET', home('edit/c.txt'))).body).toBe('ccc');
      const replaced = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'replace', value: '1' }, { name: 'files', filename: 'a.txt', content: 'replaced' }], '', jar);
      expect(replaced.statusCode).toBe(303);
      expect((await dav(t.app, 'GET', home('edit/a.txt'))).body).toBe('replaced');
      await mkcol(t.app, home('edit/sub'));
      const intoSub = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'd.txt', content: 'ddd' }], '?path=%2Fsub', jar);
      expect(intoSub.headers.location).toBe(`/s/${token}?path=%2Fsub&uploaded=1`);
      expect((await dav(t.app, 'GET', home('edit/sub/d.txt'))).body).toBe('ddd');
    });

    it('a read and create link without update never replaces, even when asked', async () => {
      await mkcol(t.app, home('rc'));
      await put(t.app, home('rc/a.txt'), 'old');
      const { token } = await newLink(t, { path: '/rc', permissions: 5 });
      const jar = new Jar();
      const page = expectPage(await web(t, `/s/${token}`, { jar }), 200);
      expect(page).not.toContain('name="replace"');
      const res = await upload(token, [{ name: 'requesttoken', value: csrfOf(page) }, { name: 'replace', value: '1' }, { name: 'files', filename: 'a.txt', content: 'new' }], '', jar);
      expect(res.statusCode).toBe(303);
      expect((await dav(t.app, 'GET', home('rc/a.txt'))).body).toBe('old');
      expect((await dav(t.app, 'GET', home('rc/a (2).txt'))).body).toBe('new');
    });

    it('an upload-only link shows only the upload box and drops files without overwriting', async () => {
      await mkcol(t.app, home('drop'));
      await put(t.app, home('drop/secret.txt'), 'hidden');
      const { token } = await newLink(t, { path: '/drop', permissions: 4 });
      const jar = new Jar();
      const page = expectPage(await web(t, `/s/${token}`, { jar }), 200);
      expect(page).toContain('<h1>drop</h1>');
      expect(page).toContain('type="file"');
      expect(page).not.toContain('secret.txt');
      expect(page).not.toContain('<table');
      expect(page).not.toContain('/download');
      const csrf = csrfOf(page);
      for (const content of ['one', 'two']) {
        const res = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'secret.txt', content }], '', jar);
        expect(res.statusCode, res.body).toBe(303);
        expect(res.headers.location).toBe(`/s/${token}?uploaded=1`);
      }
      expect((await dav(t.app, 'GET', home('drop/secret.txt'))).body).toBe('hidden');
      expect((await dav(t.app, 'GET', home('drop/secret (2).txt'))).body).toBe('one');
      expect((await dav(t.app, 'GET', home('drop/secret (3).txt'))).body).toBe('two');
      const nick = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'nickname', value: 'Guest' }, { name: 'files', filename: 'n.txt', content: 'nn' }], '', jar);
      expect(nick.statusCode).toBe(303);
      expect((await dav(t.app, 'GET', home('drop/Guest/n.txt'))).body).toBe('nn');
      expectPage(await web(t, `/s/${token}/download`), 403);
      expectPage(await web(t, `/s/${token}?path=/Guest`), 404);
    });

    it('streams uploads larger than the request body limit, and refuses past the owner\'s quota with a 507 page', async () => {
      await mkcol(t.app, home('big'));
      const { token } = await newLink(t, { path: '/big', permissions: 15 });
      const jar = new Jar();
      const csrf = csrfOf((await web(t, `/s/${token}`, { jar })).body);
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const ok = await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'big.bin', content: big }], '', jar);
      expect(ok.statusCode, ok.body).toBe(303);
      expect((await dav(t.app, 'GET', home('big/big.bin'))).rawPayload.equals(big)).toBe(true);

      const carol = await newUser(t.app, 'carol', { quota: '1 KB' });
      await mkcol(t.app, '/remote.php/dav/files/carol/in', { as: carol });
      const link = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: carol, body: { path: '/in', shareType: 3, permissions: 4 } });
      const dropToken = link.ocs.data.token as string;
      const dropJar = new Jar();
      const dropCsrf = csrfOf((await web(t, `/s/${dropToken}`, { jar: dropJar })).body);
      const full = await upload(dropToken, [{ name: 'requesttoken', value: dropCsrf }, { name: 'files', filename: 'big.bin', content: Buffer.alloc(4096, 1) }], '', dropJar);
      expect(expectPage(full, 507)).toContain('Not enough free space');
      expect((await dav(t.app, 'PROPFIND', '/remote.php/dav/files/carol/in', { as: carol, depth: '1' })).body).not.toContain('big.bin');
    });

    it('refuses uploads without the form token, on read-only links and with bad names; nothing is stored', async () => {
      await mkcol(t.app, home('guarded'));
      const { token } = await newLink(t, { path: '/guarded', permissions: 15 });
      const jar = new Jar();
      const csrf = csrfOf((await web(t, `/s/${token}`, { jar })).body);
      expect(expectPage(await upload(token, [{ name: 'files', filename: 'x.txt', content: 'x' }], '', jar), 403)).toContain('Form expired');
      expectPage(await upload(token, [{ name: 'requesttoken', value: 'forged' }, { name: 'files', filename: 'x.txt', content: 'x' }], '', jar), 403);
      expectPage(await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'x.txt', content: 'x' }]), 403);
      expectPage(await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'evil.part', content: 'x' }], '', jar), 400);
      expectPage(await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: '', content: '' }], '', jar), 400);
      expectPage(await upload(token, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'x.txt', content: 'x' }], '?path=/../..', jar), 400);
      expectPage(await upload(folderLink, [{ name: 'requesttoken', value: csrf }, { name: 'files', filename: 'x.txt', content: 'x' }], '', jar), 403);
      expectPage(await web(t, `/s/${token}/upload`, { ...form({ requesttoken: csrf }), jar }), 400);
      expect((await dav(t.app, 'PROPFIND', home('guarded'), { depth: '1' })).body).not.toContain('x.txt');
    });
  });

  describe('links that are gone, bad input and escaping', () => {
    it('answers unknown, expired and deleted links with the 404 page on every route', async () => {
      const expired = await newLink(t, { path: '/docs' });
      await t.behindTheApp((db) => db.updateTable('shares').set({ expires_at: Date.now() - 1000 }).where('id', '=', Number(expired.id)).execute());
      const deleted = await newLink(t, { path: '/docs' });
      expect(expectPage(await web(t, `/s/${deleted.token}`), 200)).toContain('a.txt');
      await deleteLink(t, deleted.id);
      for (const token of ['doesNotExist123', expired.token, deleted.token]) {
        for (const route of ['', '/download', '/download?path=/a.txt']) expect(expectPage(await web(t, `/s/${token}${route}`), 404)).toContain(GONE);
        expect(expectPage(await web(t, `/s/${token}/authenticate`, form({})), 403)).toContain('Form expired');
      }
    });

    it('escapes names and notes everywhere: text that looks like markup stays text', async () => {
      await mkcol(t.app, home('xss'));
      await mkcol(t.app, home('xss/<script>alert(1)<'));
      await put(t.app, home('xss/<script>alert(1)</script>.txt'), 'boo');
      const file = await newLink(t, { path: `/docs/${XSS}`, note: '<script>alert(1)</script>' });
      const body = expectPage(await web(t, `/s/${file.token}`), 200);
      expect(body).not.toMatch(/<script|<img/);
      expect(body).toContain(`<h1>${XSS_ESCAPED}</h1>`);
      expect(body).toContain(`<title>${XSS_ESCAPED} - Nimbus</title>`);
      expect(body).toContain('<p class="note">&#60;script&#62;alert(1)&#60;/script&#62;</p>');
      const folder = await newLink(t, { path: '/xss' });
      const inner = expectPage(await web(t, `/s/${folder.token}?path=${encodeURIComponent('/<script>alert(1)</script>.txt')}`), 200);
      expect(inner).not.toMatch(/<script|<img/);
      expect(inner).toContain(`?path=%2F%3Cscript%3Ealert(1)%3C">&#60;script&#62;alert(1)&#60;</a>/ <span>script&#62;.txt</span>`);
      expect(expectPage(await web(t, `/s/${folderLink}`), 200)).not.toMatch(/<script|<img/);
      const weird = await web(t, '/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
      expect(expectPage(weird, 404)).not.toContain('<script');
    });

    it('refuses traversal and malformed paths with a 400 page, never a 500', async () => {
      for (const q of ['/..', '/../single.txt', '/sub/../../x', '%2F..%2F..', '/sub/..', '..\\x', '/a%00b', '/.']) {
        expectPage(await web(t, `/s/${folderLink}?path=${q}`), 400);
        expectPage(await web(t, `/s/${folderLink}/download?path=${q}`), 400);
      }
      expectPage(await web(t, `/s/${folderLink}?path=/a&path=/b`), 400);
      expectPage(await web(t, `/s/${folderLink}/download?files=../single.txt`), 400);
      expectPage(await web(t, '/s/%ZZ'), 400);
      expectPage(await web(t, `/s/${folderLink}/download?path=%ZZ`), 404);
    });
  });
});

describe('share page behind a path prefix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { PUBLIC_URL: 'https://cloud.example/nimbus' });
    await mkcol(t.app, home('docs'));
    await put(t.app, home('docs/a.txt'), 'alpha');
  });
  afterAll(async () => t?.close());

  it('links and forms carry the public URL\'s path', async () => {
    const { token } = await newLink(t, { path: '/docs', permissions: 15 });
    const body = expectPage(await web(t, `/s/${token}`), 200);
    expect(body).toContain(`href="/nimbus/s/${token}/download?path=%2Fa.txt"`);
    expect(body).toContain(`action="/nimbus/s/${token}/upload"`);
  });
});
