import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { dav, expectDavError, mkcol, multistatus, PROPFIND_BODY, put } from './dav-helpers.js';

type Who = { user: string; password: string };
const SHARES = '/apps/files_sharing/api/v1/shares';
const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;
const NOT_AUTH = 'Sabre\\DAV\\Exception\\NotAuthenticated';
const FORBIDDEN = 'Sabre\\DAV\\Exception\\Forbidden';
const WRONG_CREDENTIALS = 'Username or password was incorrect';
const NO_BASIC = "No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured";

/**
 * The public entry points, each with the way its clients authenticate:
 * Nextcloud's legacy /public.php/webdav (token as the Basic user), Nextcloud's
 * /public.php/dav/files/{token} (password by Basic, any user) and oCIS's
 * /dav/public-files/{token} (Basic user `public`), also under /remote.php/dav.
 */
type Scheme = 'legacy' | 'token' | 'ocis' | 'ocis-remote';
const SCHEMES: Scheme[] = ['legacy', 'token', 'ocis', 'ocis-remote'];

interface Entry {
  scheme: Scheme;
  /** Href of the link's root, without trailing slash. */
  base: string;
  /** Headers that open the link, with its password when given. */
  auth(password?: string): Record<string, string>;
}

function entry(scheme: Scheme, token: string): Entry {
  switch (scheme) {
    case 'legacy':
      return { scheme, base: '/public.php/webdav', auth: (pw = '') => ({ authorization: basic(token, pw) }) };
    case 'token':
      return { scheme, base: `/public.php/dav/files/${token}`, auth: (pw?: string): Record<string, string> => (pw === undefined ? {} : { authorization: basic('anonymous', pw) }) };
    case 'ocis':
      return { scheme, base: `/dav/public-files/${token}`, auth: (pw?: string): Record<string, string> => (pw === undefined ? {} : { authorization: basic('public', pw) }) };
    case 'ocis-remote':
      return { scheme, base: `/remote.php/dav/public-files/${token}`, auth: (pw?: string): Record<string, string> => (pw === undefined ? {} : { authorization: basic('public', pw) }) };
  }
}

interface PubOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  depth?: '0' | '1';
  remoteAddress?: string;
}

/** A request to a public entry point; never with a user's credentials unless the test adds them. */
function pub(t: TestApp, method: string, url: string, o: PubOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.depth) headers.depth = o.depth;
  return t.app.inject({ method: method as 'GET', url, headers, payload: o.body, remoteAddress: o.remoteAddress });
}

const PROPPATCH_BODY =
  '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:color xmlns:x="urn:x">red</x:color></d:prop></d:set></d:propertyupdate>';

const LOCK_BODY =
  '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockinfo>';

async function createLink(t: TestApp, as: Who, body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const res = await ocs(t.app, 'POST', SHARES, { as, body: { shareType: 3, ...body } });
  expect(res.statusCode, res.body).toBe(200);
  return { id: res.ocs.data.id, token: res.ocs.data.token };
}

async function ownerSees(t: TestApp, as: Who, path: string): Promise<string | null> {
  const res = await dav(t.app, 'GET', home(as.user, path), { as });
  return res.statusCode === 200 ? res.body : null;
}

async function ownerLists(t: TestApp, as: Who, folder: string): Promise<string[]> {
  const res = await dav(t.app, 'PROPFIND', home(as.user, `${folder}/`), { as, depth: '1', body: PROPFIND_BODY(['d:getetag']) });
  const prefix = home(as.user, `${folder}/`);
  return multistatus(res)
    .map((r) => decodeURIComponent(r.href.slice(prefix.length)))
    .filter((n) => n !== '')
    .sort();
}

describeEachDb('WebDAV: public links on the three entry points', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  const links: Record<string, { id: string; token: string }> = {};
  let address = 0;
  // Each test its own client address, so failed attempts of one never throttle another.
  const nextAddress = () => `198.51.100.${++address}`;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    const a = { as: alice };
    await put(t.app, home('alice', 'secret.txt'), 'not for the public', a);
    await mkcol(t.app, home('alice', 'pub'), a);
    await put(t.app, home('alice', 'pub/a.txt'), 'alpha text', a);
    await mkcol(t.app, home('alice', 'pub/sub'), a);
    await put(t.app, home('alice', 'pub/sub/b.txt'), 'beta', a);
    await mkcol(t.app, home('alice', 'edit'), a);
    await put(t.app, home('alice', 'edit/keep.txt'), 'keep', a);
    await put(t.app, home('alice', 'single.txt'), 'just one file', a);
    await mkcol(t.app, home('alice', 'drop'), a);
    await put(t.app, home('alice', 'drop/a.txt'), 'already here', a);
    await mkcol(t.app, home('alice', 'prot'), a);
    await put(t.app, home('alice', 'prot/p.txt'), 'protected', a);
    links.ro = await createLink(t, alice, { path: '/pub', permissions: 1 });
    links.edit = await createLink(t, alice, { path: '/edit', permissions: 15 });
    links.file = await createLink(t, alice, { path: '/single.txt' });
    links.drop = await createLink(t, alice, { path: '/drop', permissions: 4 });
    links.prot = await createLink(t, alice, { path: '/prot', permissions: 1, password: 'Link-Pass-Word-9' });
  });
  afterAll(async () => t?.close());

  describe('a read-only folder link', () => {
    for (const scheme of SCHEMES) {
      it(`${scheme}: PROPFIND depth 1 lists the shared folder under the entry point, and nothing above it`, async () => {
        const e = entry(scheme, links.ro!.token);
        const res = await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(), depth: '1', body: PROPFIND_BODY(['d:getcontentlength', 'd:resourcetype', 'oc:permissions']) });
        const list = multistatus(res);
        expect(list.map((r) => r.href)).toEqual([`${e.base}/`, `${e.base}/a.txt`, `${e.base}/sub/`]);
        expect(list[1]!.ok['d:getcontentlength']).toBe('10');
        expect(list[1]!.ok['oc:permissions']).not.toMatch(/[WDNVCK]/);
        expect(res.body).not.toContain('secret');
        const sub = multistatus(await pub(t, 'PROPFIND', `${e.base}/sub/`, { headers: e.auth(), depth: '1', body: PROPFIND_BODY(['d:getetag']) }));
        expect(sub.map((r) => r.href)).toEqual([`${e.base}/sub/`, `${e.base}/sub/b.txt`]);
      });

      it(`${scheme}: GET a file, a Range of it and HEAD`, async () => {
        const e = entry(scheme, links.ro!.token);
        const got = await pub(t, 'GET', `${e.base}/a.txt`, { headers: e.auth() });
        expect(got.statusCode).toBe(200);
        expect(got.body).toBe('alpha text');
        expect(got.headers.etag).toMatch(/^"/);
        const range = await pub(t, 'GET', `${e.base}/a.txt`, { headers: { ...e.auth(), range: 'bytes=6-9' } });
        expect(range.statusCode).toBe(206);
        expect(range.body).toBe('text');
        expect(range.headers['content-range']).toBe('bytes 6-9/10');
        const head = await pub(t, 'HEAD', `${e.base}/sub/b.txt`, { headers: e.auth() });
        expect(head.statusCode).toBe(200);
        expect(head.headers['content-length']).toBe('4');
        expectDavError(await pub(t, 'GET', `${e.base}/secret.txt`, { headers: e.auth() }), 404, 'Sabre\\DAV\\Exception\\NotFound');
      });

      it(`${scheme}: dot segments, encoded or not, never reach above the shared folder`, async () => {
        const e = entry(scheme, links.ro!.token);
        // Separators smuggled inside a segment reach the server as they are: refused outright.
        for (const path of ['sub/..%2F..%2Fsecret.txt', '..%2Fsecret.txt', 'sub%2F..%2F..%2Fsecret.txt', '%2e%2e%2fsecret.txt', 'a.txt%00']) {
          const res = await pub(t, 'GET', `${e.base}/${path}`, { headers: e.auth() });
          expectDavError(res, 400, 'Sabre\\DAV\\Exception\\BadRequest');
        }
        // Plain and encoded dot segments are resolved by the HTTP client before they are sent (the
        // real-socket test sends them raw): what remains names another link or no DAV resource at all.
        for (const path of ['../secret.txt', '%2e%2e/secret.txt', '%2E%2E/%2E%2E/files/alice/secret.txt', 'sub/%2e%2e/%2e%2e/secret.txt']) {
          const res = await pub(t, 'GET', `${e.base}/${path}`, { headers: e.auth() });
          expect([400, 401, 404], `${path}: ${res.body}`).toContain(res.statusCode);
          expect(res.body).not.toContain('not for the public');
        }
      });

      it(`${scheme}: every write is refused with 403 and the owner's files stay as they were`, async () => {
        const e = entry(scheme, links.ro!.token);
        const attempts: Array<[string, string, Record<string, string>?, string?]> = [
          ['PUT', 'new.txt', {}, 'x'],
          ['PUT', 'a.txt', {}, 'overwritten'],
          ['MKCOL', 'newdir'],
          ['DELETE', 'a.txt'],
          ['DELETE', 'sub'],
          ['MOVE', 'a.txt', { destination: `${e.base}/moved.txt` }],
          ['COPY', 'a.txt', { destination: `${e.base}/sub/copy.txt` }],
          ['PROPPATCH', 'a.txt', { 'content-type': 'application/xml' }, PROPPATCH_BODY],
          ['LOCK', 'a.txt', { 'content-type': 'application/xml' }, LOCK_BODY],
        ];
        for (const [method, path, headers, body] of attempts) {
          const res = await pub(t, method, `${e.base}/${path}`, { headers: { ...e.auth(), ...headers }, body });
          if (method === 'PROPPATCH') {
            // Sabre answers a refused property change per property: 207 with 403 for each.
            expect(multistatus(res)[0]!.failed[403]).toEqual(['x1:color']);
          } else expectDavError(res, 403, FORBIDDEN);
        }
        const props = multistatus(await pub(t, 'PROPFIND', `${e.base}/a.txt`, { headers: e.auth(), depth: '0', body: PROPFIND_BODY(['x:color'], ' xmlns:x="urn:x"') }));
        expect(props[0]!.failed[404]).toEqual(['x1:color']);
        expect(await ownerSees(t, alice, 'pub/a.txt')).toBe('alpha text');
        expect(await ownerLists(t, alice, 'pub')).toEqual(['a.txt', 'sub/']);
        expect(await ownerLists(t, alice, 'pub/sub')).toEqual(['b.txt']);
      });
    }
  });

  describe('an edit link (permissions 15)', () => {
    for (const scheme of SCHEMES) {
      it(`${scheme}: PUT, MKCOL, COPY, MOVE and DELETE inside the folder, seen by the owner`, async () => {
        const e = entry(scheme, links.edit!.token);
        const h = e.auth();
        const dir = `w-${scheme}`;
        expect((await pub(t, 'MKCOL', `${e.base}/${dir}`, { headers: h })).statusCode).toBe(201);
        expect((await pub(t, 'PUT', `${e.base}/${dir}/one.txt`, { headers: h, body: 'first' })).statusCode).toBe(201);
        expect((await pub(t, 'PUT', `${e.base}/${dir}/one.txt`, { headers: h, body: 'second' })).statusCode).toBe(204);
        expect((await pub(t, 'COPY', `${e.base}/${dir}/one.txt`, { headers: { ...h, destination: `${e.base}/${dir}/copy.txt` } })).statusCode).toBe(201);
        expect((await pub(t, 'MOVE', `${e.base}/${dir}/one.txt`, { headers: { ...h, destination: `${e.base}/${dir}/two.txt` } })).statusCode).toBe(201);
        expect(await ownerSees(t, alice, `edit/${dir}/two.txt`)).toBe('second');
        expect(await ownerLists(t, alice, `edit/${dir}`)).toEqual(['copy.txt', 'two.txt']);
        expect((await pub(t, 'DELETE', `${e.base}/${dir}/copy.txt`, { headers: h })).statusCode).toBe(204);
        expect(await ownerLists(t, alice, `edit/${dir}`)).toEqual(['two.txt']);
        expect((await pub(t, 'DELETE', `${e.base}/${dir}`, { headers: h })).statusCode).toBe(204);
        expect(await ownerSees(t, alice, 'edit/keep.txt')).toBe('keep');
      });

      it(`${scheme}: the shared folder itself cannot be deleted or moved through the link`, async () => {
        const e = entry(scheme, links.edit!.token);
        expectDavError(await pub(t, 'DELETE', `${e.base}/`, { headers: e.auth() }), 403, FORBIDDEN);
        // Moving it anywhere the link reaches is moving it into itself.
        const move = await pub(t, 'MOVE', `${e.base}/`, { headers: { ...e.auth(), destination: `${e.base}/inner` } });
        expect([403, 409]).toContain(move.statusCode);
        expectDavError(move, move.statusCode);
        expect(await ownerSees(t, alice, 'edit/keep.txt')).toBe('keep');
      });

      it(`${scheme}: a Destination outside the link, or the same link by another entry point, is refused with 403`, async () => {
        const e = entry(scheme, links.edit!.token);
        const other = entry(scheme === 'token' ? 'ocis' : 'token', links.edit!.token);
        const destinations = [
          home('alice', 'stolen.txt'),
          home('bob', 'stolen.txt'),
          '/remote.php/webdav/stolen.txt',
          `/dav/spaces/alice/stolen.txt`,
          `${entry('token', links.ro!.token).base}/stolen.txt`,
          `${entry('ocis', links.drop!.token).base}/stolen.txt`,
          `${other.base}/stolen.txt`,
          `http://nimbus.test${home('bob', 'stolen.txt')}`,
          'http://elsewhere.example/stolen.txt',
        ];
        for (const destination of destinations) {
          for (const method of ['MOVE', 'COPY']) {
            const res = await pub(t, method, `${e.base}/keep.txt`, { headers: { ...e.auth(), destination } });
            expect(expectDavError(res, 403, FORBIDDEN).message).toBe(`Requested uri (${destination}) is out of base uri`);
          }
        }
        // A Destination is not resolved by any client: dot segments in it are refused as they are.
        for (const destination of [`${e.base}/../stolen.txt`, `${e.base}/%2e%2e/stolen.txt`]) {
          expectDavError(await pub(t, 'COPY', `${e.base}/keep.txt`, { headers: { ...e.auth(), destination } }), 400);
        }
        expect(await ownerSees(t, alice, 'edit/keep.txt')).toBe('keep');
        expect(await ownerSees(t, alice, 'stolen.txt')).toBeNull();
        expect(await ownerSees(t, bob, 'stolen.txt')).toBeNull();
      });
    }

    it('uploads count against the owner space quota: past it 507, and nothing is stored', async () => {
      const carol = await newUser(t.app, 'carol');
      expect((await ocs(t.app, 'PUT', '/cloud/users/carol', { body: { key: 'quota', value: '1 KB' } })).statusCode).toBe(200);
      await mkcol(t.app, home('carol', 'box'), { as: carol });
      const link = await createLink(t, carol, { path: '/box', permissions: 15 });
      for (const scheme of SCHEMES) {
        const e = entry(scheme, link.token);
        const res = await pub(t, 'PUT', `${e.base}/big-${scheme}.bin`, { headers: e.auth(), body: Buffer.alloc(2048, 1) });
        expectDavError(res, 507, 'Sabre\\DAV\\Exception\\InsufficientStorage');
      }
      const e = entry('token', link.token);
      expect((await pub(t, 'PUT', `${e.base}/small.txt`, { headers: e.auth(), body: 'x'.repeat(600) })).statusCode).toBe(201);
      expectDavError(await pub(t, 'PUT', `${e.base}/second.txt`, { headers: e.auth(), body: 'y'.repeat(600) }), 507);
      expect(await ownerLists(t, carol, 'box')).toEqual(['small.txt']);
    });
  });

  describe('a file link', () => {
    for (const scheme of ['legacy', 'token'] as const) {
      it(`${scheme}: the link root is the file: GET, PROPFIND depth 0 and 1 show it alone`, async () => {
        const e = entry(scheme, links.file!.token);
        const got = await pub(t, 'GET', `${e.base}/`, { headers: e.auth() });
        expect(got.statusCode).toBe(200);
        expect(got.body).toBe('just one file');
        const ranged = await pub(t, 'GET', e.base, { headers: { ...e.auth(), range: 'bytes=0-3' } });
        expect(ranged.statusCode).toBe(206);
        expect(ranged.body).toBe('just');
        for (const depth of ['0', '1'] as const) {
          const list = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(), depth, body: PROPFIND_BODY(['d:getcontentlength', 'd:resourcetype', 'd:displayname']) }));
          expect(list.map((r) => r.href)).toEqual([`${e.base}/`]);
          expect(list[0]!.ok['d:getcontentlength']).toBe('13');
          expect(list[0]!.ok['d:resourcetype']).toBe('');
        }
        expectDavError(await pub(t, 'GET', `${e.base}/single.txt`, { headers: e.auth() }), 404);
        expectDavError(await pub(t, 'GET', `${e.base}/..%2Fsecret.txt`, { headers: e.auth() }), 400);
        expectDavError(await pub(t, 'DELETE', `${e.base}/`, { headers: e.auth() }), 403);
        expectDavError(await pub(t, 'PUT', `${e.base}/`, { headers: e.auth(), body: 'changed' }), 403);
        expect(await ownerSees(t, alice, 'single.txt')).toBe('just one file');
      });
    }

    for (const scheme of ['ocis', 'ocis-remote'] as const) {
      it(`${scheme}: the file sits in a wrapper collection that allows PROPFIND, OPTIONS and HEAD only`, async () => {
        const e = entry(scheme, links.file!.token);
        const one = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(), depth: '0', body: PROPFIND_BODY(['d:resourcetype']) }));
        expect(one.map((r) => r.href)).toEqual([`${e.base}/`]);
        expect(one[0]!.ok['d:resourcetype']).toEqual({ 'd:collection': '' });
        const both = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(), depth: '1', body: PROPFIND_BODY(['d:resourcetype', 'd:getcontentlength']) }));
        expect(both.map((r) => r.href)).toEqual([`${e.base}/`, `${e.base}/single.txt`]);
        expect(both[1]!.ok['d:getcontentlength']).toBe('13');
        const file = multistatus(await pub(t, 'PROPFIND', `${e.base}/single.txt`, { headers: e.auth(), depth: '0', body: PROPFIND_BODY(['d:getcontentlength']) }));
        expect(file.map((r) => r.href)).toEqual([`${e.base}/single.txt`]);
        const got = await pub(t, 'GET', `${e.base}/single.txt`, { headers: e.auth() });
        expect(got.statusCode).toBe(200);
        expect(got.body).toBe('just one file');
        expect((await pub(t, 'HEAD', `${e.base}/`, { headers: e.auth() })).statusCode).toBe(200);
        expect((await pub(t, 'OPTIONS', `${e.base}/`, { headers: e.auth() })).statusCode).toBe(200);
        const wrapperGet = expectDavError(await pub(t, 'GET', `${e.base}/`, { headers: e.auth() }), 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed');
        expect(wrapperGet.message).toMatch(/not allowed/);
        const del = await pub(t, 'DELETE', `${e.base}/single.txt`, { headers: e.auth() });
        expectDavError(del, 405);
        expect(del.headers.allow).toBe('OPTIONS, GET, HEAD, PUT, PROPFIND');
        expectDavError(await pub(t, 'MKCOL', `${e.base}/new`, { headers: e.auth() }), 405);
        expectDavError(await pub(t, 'GET', `${e.base}/other.txt`, { headers: e.auth() }), 404);
        // Read-only: PUT is a verb the file allows, the link's permissions refuse it.
        expectDavError(await pub(t, 'PUT', `${e.base}/single.txt`, { headers: e.auth(), body: 'changed' }), 403);
        expect(await ownerSees(t, alice, 'single.txt')).toBe('just one file');
      });
    }
  });

  describe('an upload-only folder link (file drop)', () => {
    for (const scheme of SCHEMES) {
      it(`${scheme}: PUT drops files without overwriting; what the folder holds stays hidden`, async () => {
        const e = entry(scheme, links.drop!.token);
        const name = `in-${scheme}.txt`;
        expect((await pub(t, 'PUT', `${e.base}/${name}`, { headers: e.auth(), body: 'one' })).statusCode).toBe(201);
        expect((await pub(t, 'PUT', `${e.base}/${name}`, { headers: e.auth(), body: 'two' })).statusCode).toBe(201);
        expect(await ownerSees(t, alice, `drop/${name}`)).toBe('one');
        expect(await ownerSees(t, alice, `drop/in-${scheme} (2).txt`)).toBe('two');
        for (const method of ['PROPFIND', 'GET', 'HEAD', 'DELETE', 'PROPPATCH']) {
          const res = await pub(t, method, `${e.base}/${method === 'PROPFIND' ? '' : name}`, { headers: e.auth(), depth: '1' });
          expect(res.statusCode, `${method}: ${res.body}`).toBe(405);
          expect(res.headers.allow).toBe('PUT');
          expect(res.body).not.toContain('already here');
          if (method !== 'HEAD') expectDavError(res, 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed');
        }
        expectDavError(await pub(t, 'MOVE', `${e.base}/${name}`, { headers: { ...e.auth(), destination: `${e.base}/x.txt` } }), 405);
        expectDavError(await pub(t, 'MKCOL', `${e.base}/folder`, { headers: e.auth() }), 405);
        expectDavError(await pub(t, 'PUT', `${e.base}/deep/f.txt`, { headers: e.auth(), body: 'x' }), 405);
        expectDavError(await pub(t, 'PUT', `${e.base}/`, { headers: e.auth(), body: 'x' }), 405);
      });
    }

    it('a name already taken by the owner becomes "a (2).txt", then "a (3).txt"', async () => {
      const e = entry('token', links.drop!.token);
      expect((await pub(t, 'PUT', `${e.base}/a.txt`, { headers: e.auth(), body: 'dropped 1' })).statusCode).toBe(201);
      expect((await pub(t, 'PUT', `${e.base}/a.txt`, { headers: e.auth(), body: 'dropped 2' })).statusCode).toBe(201);
      expect(await ownerSees(t, alice, 'drop/a.txt')).toBe('already here');
      expect(await ownerSees(t, alice, 'drop/a (2).txt')).toBe('dropped 1');
      expect(await ownerSees(t, alice, 'drop/a (3).txt')).toBe('dropped 2');
    });

    it('X-NC-Nickname puts uploads, subfolders included, in a folder named after the uploader', async () => {
      const e = entry('token', links.drop!.token);
      const h = { ...e.auth(), 'x-nc-nickname': encodeURIComponent('Zoë Q') };
      expect((await pub(t, 'MKCOL', `${e.base}/photos`, { headers: h })).statusCode).toBe(201);
      expect((await pub(t, 'PUT', `${e.base}/photos/p.jpg`, { headers: h, body: 'jpeg' })).statusCode).toBe(201);
      expect((await pub(t, 'PUT', `${e.base}/note.txt`, { headers: h, body: 'hi' })).statusCode).toBe(201);
      expect((await pub(t, 'PUT', `${e.base}/note.txt`, { headers: h, body: 'again' })).statusCode).toBe(201);
      expect(await ownerSees(t, alice, 'drop/Zo%C3%AB%20Q/photos/p.jpg')).toBe('jpeg');
      expect(await ownerSees(t, alice, 'drop/Zo%C3%AB%20Q/note.txt')).toBe('hi');
      expect(await ownerSees(t, alice, 'drop/Zo%C3%AB%20Q/note%20(2).txt')).toBe('again');
      // A file in the nickname's way: the uploads go to "name (2)" rather than over or into it.
      await put(t.app, home('alice', 'drop/Max'), 'a file named Max', { as: alice });
      const max = { ...e.auth(), 'x-nc-nickname': 'Max' };
      expect((await pub(t, 'PUT', `${e.base}/m.txt`, { headers: max, body: 'from max' })).statusCode).toBe(201);
      expect((await pub(t, 'PUT', `${e.base}/n.txt`, { headers: max, body: 'more' })).statusCode).toBe(201);
      expect(await ownerSees(t, alice, 'drop/Max')).toBe('a file named Max');
      expect(await ownerSees(t, alice, 'drop/Max%20(2)/m.txt')).toBe('from max');
      expect(await ownerSees(t, alice, 'drop/Max%20(2)/n.txt')).toBe('more');
      // A nickname is one folder name: separators and dot names are refused.
      for (const nick of ['../up', '..', 'a%2Fb']) {
        expectDavError(await pub(t, 'PUT', `${e.base}/evil.txt`, { headers: { 'x-nc-nickname': nick }, body: 'x' }), 400);
      }
      expect(await ownerSees(t, alice, 'up/evil.txt')).toBeNull();
      expect(await ownerSees(t, alice, 'evil.txt')).toBeNull();
    });

    it('the owner hears of a dropped file as created in a public folder; the link has no stream of its own', async () => {
      const e = entry('ocis', links.drop!.token);
      expect((await pub(t, 'PUT', `${e.base}/told.txt`, { headers: e.auth(), body: 'news' })).statusCode).toBe(201);
      const res = await ocs(t.app, 'GET', '/apps/activity/api/v2/activity/all', { as: alice });
      expect(res.statusCode, res.body).toBe(200);
      const item = res.ocs.data.find((i: any) => i.object_name === '/drop/told.txt');
      expect(item, JSON.stringify(res.ocs.data.slice(0, 3))).toMatchObject({ type: 'file_created', subject: 'drop/told.txt was created in a public folder' });
      const rows = await t.db.selectFrom('activities').select(['affected_user', 'author']).where('object_name', '=', '/drop/told.txt').execute();
      expect(rows).toEqual([{ affected_user: 'alice', author: null }]);
    });

    it('a file request (fileRequest attribute) needs a nickname', async () => {
      await mkcol(t.app, home('alice', 'request'), { as: alice });
      const link = await createLink(t, alice, {
        path: '/request',
        permissions: 4,
        attributes: JSON.stringify([{ scope: 'fileRequest', key: 'enabled', value: true }]),
      });
      const e = entry('token', link.token);
      const res = expectDavError(await pub(t, 'PUT', `${e.base}/f.txt`, { headers: e.auth(), body: 'x' }), 405);
      expect(res.message).toBe('A nickname header is required for file requests');
      expect((await pub(t, 'PUT', `${e.base}/f.txt`, { headers: { 'x-nc-nickname': 'Ann' }, body: 'x' })).statusCode).toBe(201);
      expect(await ownerSees(t, alice, 'request/Ann/f.txt')).toBe('x');
    });
  });

  describe('a password-protected link', () => {
    const PW = 'Link-Pass-Word-9';

    it('legacy: every refusal is 401 with a Basic challenge', async () => {
      const e = entry('legacy', links.prot!.token);
      const remoteAddress = nextAddress();
      const none = await pub(t, 'PROPFIND', `${e.base}/`, { remoteAddress });
      expect(expectDavError(none, 401, NOT_AUTH).message).toBe(NO_BASIC);
      expect(none.headers['www-authenticate']).toBe('Basic realm="Nimbus", charset="UTF-8"');
      for (const headers of [e.auth(), e.auth('wrong-password'), { authorization: basic('no-such-token', PW) }, { authorization: basic(alice.user, alice.password) }]) {
        const res = await pub(t, 'PROPFIND', `${e.base}/`, { headers, remoteAddress });
        expect(expectDavError(res, 401, NOT_AUTH).message).toBe(WRONG_CREDENTIALS);
        expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      }
      expect((await pub(t, 'GET', `${e.base}/p.txt`, { headers: e.auth(PW), remoteAddress })).body).toBe('protected');
    });

    it('token: a missing or wrong password is 401, an unknown token 404 (401 once credentials came)', async () => {
      const e = entry('token', links.prot!.token);
      const remoteAddress = nextAddress();
      const none = await pub(t, 'GET', `${e.base}/p.txt`, { remoteAddress });
      expectDavError(none, 401, NOT_AUTH);
      expect(none.headers['www-authenticate']).toMatch(/^Basic /);
      expect(expectDavError(await pub(t, 'GET', `${e.base}/p.txt`, { headers: e.auth('wrong-password'), remoteAddress }), 401, NOT_AUTH).message).toBe(WRONG_CREDENTIALS);
      expectDavError(await pub(t, 'GET', `${e.base}/p.txt`, { headers: e.auth(''), remoteAddress }), 401, NOT_AUTH);
      const good = await pub(t, 'GET', `${e.base}/p.txt`, { headers: e.auth(PW), remoteAddress });
      expect(good.statusCode).toBe(200);
      expect(good.body).toBe('protected');
      // Any user name goes with the password (Nextcloud's clients send "anonymous", oCIS's "public").
      expect((await pub(t, 'GET', `${e.base}/p.txt`, { headers: { authorization: basic('whoever', PW) }, remoteAddress })).statusCode).toBe(200);
      expectDavError(await pub(t, 'GET', '/public.php/dav/files/NoSuchToken123/p.txt', { remoteAddress }), 404, 'Sabre\\DAV\\Exception\\NotFound');
      expectDavError(await pub(t, 'GET', '/public.php/dav/files/NoSuchToken123/p.txt', { headers: { authorization: basic('anonymous', PW) }, remoteAddress }), 401, NOT_AUTH);
    });

    for (const scheme of ['ocis', 'ocis-remote'] as const) {
      it(`${scheme}: a missing or wrong password is 401, an unknown token 404`, async () => {
        const e = entry(scheme, links.prot!.token);
        const remoteAddress = nextAddress();
        expectDavError(await pub(t, 'PROPFIND', `${e.base}/`, { remoteAddress, depth: '1' }), 401, NOT_AUTH);
        expectDavError(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth('nope-nope'), remoteAddress, depth: '1' }), 401, NOT_AUTH);
        const list = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(PW), remoteAddress, depth: '1', body: PROPFIND_BODY(['d:getetag']) }));
        expect(list.map((r) => r.href)).toEqual([`${e.base}/`, `${e.base}/p.txt`]);
        const unknown = scheme === 'ocis' ? '/dav/public-files/NoSuchToken123/' : '/remote.php/dav/public-files/NoSuchToken123/';
        expectDavError(await pub(t, 'PROPFIND', unknown, { remoteAddress }), 404);
        expectDavError(await pub(t, 'PROPFIND', unknown, { headers: e.auth(PW), remoteAddress }), 404);
      });
    }

    it('wrong passwords count as failed logins: past the limit even the right one gets 429, from that address only', async () => {
      const limited = await buildTestApp(kind, { LOGIN_MAX_FAILURES: 3 });
      try {
        const owner = await newUser(limited.app, 'dana');
        await mkcol(limited.app, home('dana', 'p'), { as: owner });
        await put(limited.app, home('dana', 'p/x.txt'), 'x', { as: owner });
        const link = await createLink(limited, owner, { path: '/p', password: PW });
        const e = entry('token', link.token);
        const remoteAddress = '203.0.113.7';
        for (let i = 0; i < 3; i++) expectDavError(await pub(limited, 'GET', `${e.base}/x.txt`, { headers: e.auth(`wrong-${i}`), remoteAddress }), 401);
        const throttled = await pub(limited, 'GET', `${e.base}/x.txt`, { headers: e.auth(PW), remoteAddress });
        expectDavError(throttled, 429, 'OCA\\DAV\\Connector\\Sabre\\Exception\\TooManyRequests');
        for (const scheme of SCHEMES) {
          const other = entry(scheme, link.token);
          expect((await pub(limited, 'GET', `${other.base}/x.txt`, { headers: other.auth(PW), remoteAddress })).statusCode, scheme).toBe(429);
        }
        const elsewhere = await pub(limited, 'GET', `${e.base}/x.txt`, { headers: e.auth(PW), remoteAddress: '203.0.113.8' });
        expect(elsewhere.statusCode).toBe(200);
        // Guessing tokens is throttled too.
        const guesser = '203.0.113.9';
        for (let i = 0; i < 30; i++) await pub(limited, 'GET', `/public.php/dav/files/Guess${i}/`, { remoteAddress: guesser });
        expectDavError(await pub(limited, 'GET', `${e.base}/x.txt`, { headers: e.auth(PW), remoteAddress: guesser }), 429);
      } finally {
        await limited.close();
      }
    });
  });

  describe('links that stop', () => {
    it('an expired link stops at the next request on every entry point', async () => {
      await mkcol(t.app, home('alice', 'soon'), { as: alice });
      await put(t.app, home('alice', 'soon/s.txt'), 'soon gone', { as: alice });
      const link = await createLink(t, alice, { path: '/soon', permissions: 15, expireDate: '2199-01-01' });
      for (const scheme of SCHEMES) {
        const e = entry(scheme, link.token);
        expect((await pub(t, 'GET', `${e.base}/s.txt`, { headers: e.auth() })).statusCode, scheme).toBe(200);
      }
      await t.behindTheApp((db) => db.updateTable('shares').set({ expires_at: Date.now() - 1000 }).where('id', '=', Number(link.id)).execute());
      const remoteAddress = nextAddress();
      for (const scheme of SCHEMES) {
        const e = entry(scheme, link.token);
        for (const method of ['GET', 'PUT']) {
          const res = await pub(t, method, `${e.base}/s.txt`, { headers: e.auth(), remoteAddress, body: method === 'PUT' ? 'late' : undefined });
          if (scheme === 'legacy') expect(expectDavError(res, 401, NOT_AUTH).message).toBe(WRONG_CREDENTIALS);
          else expectDavError(res, 404, 'Sabre\\DAV\\Exception\\NotFound');
        }
      }
      expect(await ownerSees(t, alice, 'soon/s.txt')).toBe('soon gone');
    });

    it('a deleted link stops at once: 404, or 401 where the token is the login', async () => {
      await mkcol(t.app, home('alice', 'gone'), { as: alice });
      await put(t.app, home('alice', 'gone/g.txt'), 'g', { as: alice });
      const link = await createLink(t, alice, { path: '/gone', permissions: 1 });
      const e = entry('token', link.token);
      expect((await pub(t, 'GET', `${e.base}/g.txt`)).statusCode).toBe(200);
      expect((await ocs(t.app, 'DELETE', `${SHARES}/${link.id}`, { as: alice })).statusCode).toBe(200);
      const remoteAddress = nextAddress();
      for (const scheme of SCHEMES) {
        const s = entry(scheme, link.token);
        const res = await pub(t, 'GET', `${s.base}/g.txt`, { headers: s.auth(), remoteAddress });
        expectDavError(res, scheme === 'legacy' ? 401 : 404);
      }
    });

    it('a link made by a recipient serves what its sharer still holds, and stops when they lose the share right or the share', async () => {
      const carl = await newUser(t.app, 'carl');
      await mkcol(t.app, home('alice', 'team'), { as: alice });
      await put(t.app, home('alice', 'team/t.txt'), 'team notes', { as: alice });
      const received = await ocs(t.app, 'POST', SHARES, { as: alice, body: { path: '/team', shareType: 0, shareWith: 'carl', permissions: 31 } });
      expect(received.statusCode, received.body).toBe(200);
      // A recipient holding 31 may pass on delete inside the folder, as Nextcloud allows.
      const link = await createLink(t, carl, { path: '/team', permissions: 15 });
      const e = entry('token', link.token);
      expect((await pub(t, 'PUT', `${e.base}/by-link.txt`, { body: 'one' })).statusCode).toBe(201);
      // Carl keeps read and share only: the link still reads, but writes as Carl can no more.
      expect((await ocs(t.app, 'PUT', `${SHARES}/${received.ocs.data.id}`, { as: alice, body: { permissions: 17 } })).statusCode).toBe(200);
      expect((await pub(t, 'GET', `${e.base}/t.txt`)).body).toBe('team notes');
      expectDavError(await pub(t, 'PUT', `${e.base}/by-link.txt`, { body: 'two' }), 403);
      expectDavError(await pub(t, 'PUT', `${e.base}/another.txt`, { body: 'three' }), 403);
      const perms = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { depth: '1', body: PROPFIND_BODY(['oc:permissions']) }));
      expect(perms.find((r) => r.href.endsWith('/t.txt'))!.ok['oc:permissions']).not.toMatch(/[WDNV]/);
      expect(perms[0]!.ok['oc:permissions']).not.toMatch(/[CK]/);
      // Without the share right the link is gone (Nextcloud's PublicLinkCheckPlugin), on every entry point.
      expect((await ocs(t.app, 'PUT', `${SHARES}/${received.ocs.data.id}`, { as: alice, body: { permissions: 1 } })).statusCode).toBe(200);
      for (const scheme of SCHEMES) {
        const s = entry(scheme, link.token);
        expectDavError(await pub(t, 'GET', `${s.base}/t.txt`, { headers: s.auth() }), 404);
      }
      expect((await ocs(t.app, 'PUT', `${SHARES}/${received.ocs.data.id}`, { as: alice, body: { permissions: 31 } })).statusCode).toBe(200);
      expect((await pub(t, 'GET', `${e.base}/t.txt`)).statusCode).toBe(200);
      expect((await ocs(t.app, 'DELETE', `${SHARES}/${received.ocs.data.id}`, { as: alice })).statusCode).toBe(200);
      expectDavError(await pub(t, 'PROPFIND', `${e.base}/`, { depth: '0' }), 404);
      expect(await ownerSees(t, alice, 'team/by-link.txt')).toBe('one');
    });

    it('a new password replaces the old one at the next request', async () => {
      await mkcol(t.app, home('alice', 'rekey'), { as: alice });
      await put(t.app, home('alice', 'rekey/k.txt'), 'k', { as: alice });
      const link = await createLink(t, alice, { path: '/rekey', password: 'First-Pass-Word-1' });
      const remoteAddress = nextAddress();
      const e = entry('token', link.token);
      expect((await pub(t, 'GET', `${e.base}/k.txt`, { headers: e.auth('First-Pass-Word-1'), remoteAddress })).statusCode).toBe(200);
      expect((await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { as: alice, body: { password: 'Second-Pass-Word-2' } })).statusCode).toBe(200);
      expectDavError(await pub(t, 'GET', `${e.base}/k.txt`, { headers: e.auth('First-Pass-Word-1'), remoteAddress }), 401);
      expect((await pub(t, 'GET', `${e.base}/k.txt`, { headers: e.auth('Second-Pass-Word-2'), remoteAddress })).statusCode).toBe(200);
      expect((await ocs(t.app, 'PUT', `${SHARES}/${link.id}`, { as: alice, body: { password: '' } })).statusCode).toBe(200);
      expect((await pub(t, 'GET', `${e.base}/k.txt`, { remoteAddress })).statusCode).toBe(200);
    });

    it('a link whose folder was deleted is gone too', async () => {
      await mkcol(t.app, home('alice', 'brief'), { as: alice });
      const link = await createLink(t, alice, { path: '/brief', permissions: 1 });
      expect((await dav(t.app, 'DELETE', home('alice', 'brief'), { as: alice })).statusCode).toBe(204);
      const e = entry('ocis', link.token);
      expectDavError(await pub(t, 'PROPFIND', `${e.base}/`, { remoteAddress: nextAddress() }), 404);
    });
  });

  describe('a link on a project space', () => {
    it('serves the space folder the link names and writes into the space', async () => {
      const drive = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Outreach', driveType: 'project' } });
      expect(drive.statusCode, drive.body).toBe(201);
      const spaceUrl = `/dav/spaces/${encodeURIComponent(drive.data.id)}`;
      expect((await dav(t.app, 'MKCOL', `${spaceUrl}/flyers`)).statusCode).toBe(201);
      expect((await dav(t.app, 'PUT', `${spaceUrl}/flyers/f.txt`, { body: 'flyer' })).statusCode).toBe(201);
      expect((await dav(t.app, 'PUT', `${spaceUrl}/budget.txt`, { body: 'money' })).statusCode).toBe(201);
      // Links on a project space are made over Graph (OCS names paths of the caller's home only).
      const driveId = String(drive.data.id);
      const children = await graph(t.app, 'GET', `/graph/v1.0/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(`${driveId}!${driveId.split('$')[1]}`)}/children`);
      expect(children.statusCode, children.body).toBe(200);
      const flyers = children.data.value.find((i: { name: string }) => i.name === 'flyers');
      const tokenOf = (res: { statusCode: number; body: string; data: any }): string => {
        expect(res.statusCode, res.body).toBe(200);
        return String(res.data.link.webUrl).split('/s/')[1]!;
      };
      const editToken = tokenOf(await graph(t.app, 'POST', `/graph/v1beta1/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(flyers.id)}/createLink`, { body: { type: 'edit' } }));
      const viewToken = tokenOf(await graph(t.app, 'POST', `/graph/v1beta1/drives/${encodeURIComponent(driveId)}/root/createLink`, { body: { type: 'view' } }));
      for (const scheme of SCHEMES) {
        const e = entry(scheme, editToken);
        expect((await pub(t, 'PUT', `${e.base}/new-${scheme}.txt`, { headers: e.auth(), body: scheme })).statusCode).toBe(201);
        const list = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { headers: e.auth(), depth: '1', body: PROPFIND_BODY(['d:getetag']) }));
        const hrefs = list.map((r) => r.href);
        expect(hrefs.slice(0, 2)).toEqual([`${e.base}/`, `${e.base}/f.txt`]);
        expect(hrefs).toContain(`${e.base}/new-${scheme}.txt`);
        expect(hrefs.every((h) => h.startsWith(`${e.base}/`) && !h.includes('budget'))).toBe(true);
        expect((await pub(t, 'GET', `${e.base}/f.txt`, { headers: e.auth() })).body).toBe('flyer');
        expect((await dav(t.app, 'GET', `${spaceUrl}/flyers/new-${scheme}.txt`)).body).toBe(scheme);
        expectDavError(await pub(t, 'GET', `${e.base}/..%2Fbudget.txt`, { headers: e.auth() }), 400);
        expectDavError(await pub(t, 'COPY', `${e.base}/f.txt`, { headers: { ...e.auth(), destination: `${spaceUrl}/copied.txt` } }), 403);
      }
      const e = entry('token', viewToken);
      const root = multistatus(await pub(t, 'PROPFIND', `${e.base}/`, { depth: '1', body: PROPFIND_BODY(['d:getetag']) }));
      expect(root.map((r) => r.href)).toEqual([`${e.base}/`, `${e.base}/budget.txt`, `${e.base}/flyers/`]);
      expect((await pub(t, 'GET', `${e.base}/budget.txt`)).body).toBe('money');
      expectDavError(await pub(t, 'PUT', `${e.base}/budget.txt`, { body: 'more money' }), 403);
      // A disabled space serves nothing, through its links neither; restored, they work again.
      expect((await graph(t.app, 'DELETE', `/graph/v1.0/drives/${drive.data.id}`)).statusCode).toBe(204);
      for (const scheme of SCHEMES) {
        const s = entry(scheme, viewToken);
        expectDavError(await pub(t, 'GET', `${s.base}/budget.txt`, { headers: s.auth(), remoteAddress: nextAddress() }), scheme === 'legacy' ? 401 : 404);
      }
      const restored = await graph(t.app, 'PATCH', `/graph/v1.0/drives/${drive.data.id}`, { headers: { Restore: 'T', 'content-type': 'text/plain' }, body: '{}' });
      expect(restored.statusCode).toBe(200);
      expect((await pub(t, 'GET', `${e.base}/budget.txt`)).body).toBe('money');
    });
  });

  describe('who the caller is', () => {
    it('user credentials on a public path grant nothing', async () => {
      const remoteAddress = nextAddress();
      const asAlice = { authorization: basic(alice.user, alice.password) };
      // Legacy: the Basic user is the token; a user name is no token.
      expectDavError(await pub(t, 'PROPFIND', '/public.php/webdav/', { headers: asAlice, remoteAddress }), 401, NOT_AUTH);
      expectDavError(await pub(t, 'GET', '/public.php/webdav/secret.txt', { headers: asAlice, remoteAddress }), 401);
      // The owner's own password does not open her protected link.
      for (const scheme of ['token', 'ocis'] as const) {
        const e = entry(scheme, links.prot!.token);
        expectDavError(await pub(t, 'GET', `${e.base}/p.txt`, { headers: asAlice, remoteAddress }), 401);
      }
      // On an open read-only link the owner's credentials still only read.
      const ro = entry('token', links.ro!.token);
      expectDavError(await pub(t, 'PUT', `${ro.base}/by-owner.txt`, { headers: asAlice, body: 'x', remoteAddress }), 403);
      expectDavError(await pub(t, 'GET', `/public.php/dav/files/${alice.user}/secret.txt`, { headers: asAlice, remoteAddress }), 401);
      expectDavError(await pub(t, 'GET', `/dav/public-files/${alice.user}/secret.txt`, { headers: asAlice, remoteAddress }), 404);
      expect(await ownerSees(t, alice, 'pub/by-owner.txt')).toBeNull();
    });

    it('the link token grants nothing on the user entry points', async () => {
      for (const url of [home('alice', 'pub/a.txt'), '/remote.php/webdav/pub/a.txt', '/dav/spaces/alice/pub/a.txt']) {
        const res = await pub(t, 'GET', url, { headers: { authorization: basic(links.ro!.token, '') }, remoteAddress: nextAddress() });
        expectDavError(res, 401, NOT_AUTH);
      }
      expectDavError(await pub(t, 'GET', home('alice', 'pub/a.txt'), { headers: { 'public-token': links.ro!.token } }), 401);
    });

    it('anonymous OPTIONS is answered on every public entry point', async () => {
      const urls = [
        '/public.php/webdav',
        '/public.php/webdav/',
        '/public.php/dav/',
        '/public.php/dav/files/',
        `/public.php/dav/files/${links.prot!.token}/`,
        `/public.php/dav/files/NoSuchToken123/`,
        `/dav/public-files/${links.ro!.token}/a.txt`,
        `/remote.php/dav/public-files/${links.prot!.token}`,
      ];
      for (const url of urls) {
        const res = await pub(t, 'OPTIONS', url);
        expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
        expect(res.headers.dav).toContain('1, 2, 3');
        expect(res.headers.allow).toContain('PROPFIND');
      }
    });

    it('/public.php/dav/ names no link: 404 for anything but OPTIONS', async () => {
      for (const url of ['/public.php/dav/', '/public.php/dav/files/', '/public.php/dav/uploads/x']) {
        expectDavError(await pub(t, 'PROPFIND', url, { remoteAddress: nextAddress() }), 404);
      }
    });
  });
});
