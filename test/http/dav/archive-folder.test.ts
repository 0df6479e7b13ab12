import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { readZip } from '../web/zip-reader.js';
import { type Credentials, dav, expectDavError, mkcol, put } from './dav-helpers.js';
import { readTar } from './tar-reader.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';
const TEXT = 'This is the WebDAV interface. It can only be accessed by WebDAV clients such as the Nextcloud desktop sync client.';
const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;
const listing = (body: Buffer) => readZip(body).map((e) => [e.name, e.folder ? null : e.data.toString()]);

/** An independent reader, when the machine has one: GNU tar lists the archive (pax names included). */
function tarList(tar: Buffer): string[] | null {
  if (!existsSync('/usr/bin/tar')) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-tar-'));
  try {
    writeFileSync(path.join(dir, 'a.tar'), tar);
    return execFileSync('/usr/bin/tar', ['-tf', path.join(dir, 'a.tar')], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Nextcloud 29+'s ZipFolderPlugin: GET on a collection with Accept or ?accept=zip streams it as a ZIP. */
describeEachDb('WebDAV: a folder downloaded as a ZIP', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let spaceId: string;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await mkcol(t.app, home('alice', 'docs'), { as: alice });
    await put(t.app, home('alice', 'docs/a.txt'), 'alpha', { as: alice });
    await put(t.app, home('alice', 'docs/b.txt'), 'bravo!', { as: alice });
    await mkcol(t.app, home('alice', 'docs/sub'), { as: alice });
    await mkcol(t.app, home('alice', 'docs/sub/deeper'), { as: alice });
    await put(t.app, home('alice', 'docs/sub/deeper/c.bin'), Buffer.from([0, 1, 2, 255]), { as: alice });
    await mkcol(t.app, home('alice', 'docs/empty'), { as: alice });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/docs', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(share.statusCode, share.body).toBe(200);
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Team' });
    spaceId = created.views[0]!.space.id;
    await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: 'bob' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
    await mkcol(t.app, `/dav/spaces/${spaceId}/plans`);
    await put(t.app, `/dav/spaces/${spaceId}/plans/p.txt`, 'plan');
  });
  afterAll(async () => t?.close());

  it('streams the whole folder, nested and empty folders included, named after it', async () => {
    const res = await dav(t.app, 'GET', home('alice', 'docs'), { as: alice, headers: { accept: 'application/zip' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('filename="docs.zip"');
    expect(res.headers['content-length']).toBeUndefined();
    expect(listing(res.rawPayload)).toEqual([
      ['docs/', null],
      ['docs/a.txt', 'alpha'],
      ['docs/b.txt', 'bravo!'],
      ['docs/empty/', null],
      ['docs/sub/', null],
      ['docs/sub/deeper/', null],
      ['docs/sub/deeper/c.bin', Buffer.from([0, 1, 2, 255]).toString()],
    ]);
    expect(readZip(res.rawPayload).find((e) => e.name.endsWith('c.bin'))!.data).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('answers the query form the web app links to, on every personal entry point', async () => {
    for (const url of [`${home('alice', 'docs/sub')}?accept=zip`, '/remote.php/webdav/docs/sub?accept=zip']) {
      const res = await dav(t.app, 'GET', url, { as: alice });
      expect(res.statusCode, url).toBe(200);
      expect(listing(res.rawPayload).map(([n]) => n), url).toEqual(['sub/', 'sub/deeper/', 'sub/deeper/c.bin']);
    }
  });

  it('restricts the archive to a selection, laid out at its top', async () => {
    const files = encodeURIComponent(JSON.stringify(['b.txt', 'sub']));
    const res = await dav(t.app, 'GET', `${home('alice', 'docs')}?accept=zip&files=${files}`, { as: alice });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain('filename="docs.zip"');
    expect(listing(res.rawPayload).map(([n]) => n)).toEqual(['b.txt', 'sub/', 'sub/deeper/', 'sub/deeper/c.bin']);
    // A JSON string is a selection of one (json_decode, then wrapped), and X-NC-Files headers work as the parameter does.
    const one = await dav(t.app, 'GET', `${home('alice', 'docs')}?accept=zip&files=${encodeURIComponent('"a.txt"')}`, { as: alice });
    expect(listing(one.rawPayload)).toEqual([['a.txt', 'alpha']]);
    const header = await dav(t.app, 'GET', home('alice', 'docs'), { as: alice, headers: { accept: 'application/zip', 'x-nc-files': 'sub/deeper/c.bin' } });
    expect(listing(header.rawPayload).map(([n]) => n)).toEqual(['sub/deeper/c.bin']);
  });

  it('zips the home root as "download", received shares included, also in a selection', async () => {
    const res = await dav(t.app, 'GET', `${home('bob')}?accept=zip`, { as: bob });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain('filename="download.zip"');
    expect(listing(res.rawPayload).map(([n]) => n)).toContain('download/docs/sub/deeper/c.bin');
    const picked = await dav(t.app, 'GET', `${home('bob')}?accept=zip&files=${encodeURIComponent('["docs/sub"]')}`, { as: bob });
    expect(listing(picked.rawPayload).map(([n]) => n)).toEqual(['docs/sub/', 'docs/sub/deeper/', 'docs/sub/deeper/c.bin']);
  });

  it('lets a read-only recipient and a space viewer download, through their own views', async () => {
    const shared = await dav(t.app, 'GET', `${home('bob', 'docs')}?accept=zip`, { as: bob });
    expect(shared.statusCode, shared.body).toBe(200);
    expect(listing(shared.rawPayload)).toContainEqual(['docs/a.txt', 'alpha']);
    const space = await dav(t.app, 'GET', `/dav/spaces/${spaceId}/plans?accept=zip`, { as: bob });
    expect(space.statusCode, space.body).toBe(200);
    expect(listing(space.rawPayload)).toEqual([['plans/', null], ['plans/p.txt', 'plan']]);
    const root = await dav(t.app, 'GET', `/remote.php/dav/spaces/${spaceId}?accept=zip`, { as: bob });
    expect(root.headers['content-disposition']).toContain('filename="Team.zip"');
    expect(listing(root.rawPayload).map(([n]) => n)).toEqual(['Team/', 'Team/plans/', 'Team/plans/p.txt']);
  });

  it("refuses what the caller cannot see: another user's files, a space they are not in", async () => {
    expectDavError(await dav(t.app, 'GET', `${home('alice', 'docs')}?accept=zip`, { as: carol }), 404);
    expectDavError(await dav(t.app, 'GET', `${home('carol', 'docs')}?accept=zip`, { as: carol }), 404);
    expectDavError(await dav(t.app, 'GET', `/dav/spaces/${spaceId}/plans?accept=zip`, { as: carol }), 404);
  });

  describe('a bad files parameter', () => {
    const get = (files: string) => dav(t.app, 'GET', `${home('alice', 'docs')}?accept=zip&files=${encodeURIComponent(files)}`, { as: alice });
    it('is a 400 DAV error when it is not JSON, not names, or climbs out of the folder', async () => {
      for (const files of ['[a.txt', '[1]', '{"a":1}', '["../docs"]', '["sub/../a.txt"]', '["/a.txt"]', '[""]']) {
        expectDavError(await get(files), 400, 'Sabre\\DAV\\Exception\\BadRequest');
      }
    });
    it('is a 404 DAV error naming an unknown member', async () => {
      const { message } = expectDavError(await get('["a.txt","nope.txt"]'), 404, 'Sabre\\DAV\\Exception\\NotFound');
      expect(message).toContain('nope.txt');
    });
  });

  it('writes tar when it is asked for, also beside zip (Nextcloud prefers it then)', async () => {
    const long = `${'n'.repeat(120)}-ü.txt`;
    await put(t.app, home('alice', `docs/empty/${encodeURIComponent(long)}`), 'long name', { as: alice });
    for (const [url, headers] of [[`${home('alice', 'docs')}?accept=tar,zip`, {}], [home('alice', 'docs'), { accept: 'application/x-tar' }]] as const) {
      const res = await dav(t.app, 'GET', url, { as: alice, headers });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-tar');
      expect(res.headers['content-disposition']).toContain('filename="docs.tar"');
      const members = readTar(res.rawPayload).map((m) => [m.name, m.folder ? null : m.data.toString()]);
      expect(members).toContainEqual(['docs/a.txt', 'alpha']);
      expect(members).toContainEqual([`docs/empty/${long}`, 'long name']);
      expect(members).toContainEqual(['docs/sub/deeper/', null]);
      const listed = tarList(res.rawPayload);
      if (listed) expect(listed).toEqual(readTar(res.rawPayload).map((m) => m.name));
    }
    await dav(t.app, 'DELETE', home('alice', `docs/empty/${encodeURIComponent(long)}`), { as: alice });
  });

  it('keeps the plain collection answer without an archive request, and for HEAD', async () => {
    for (const [method, headers] of [['GET', {}], ['HEAD', { accept: 'application/zip' }], ['GET', { accept: 'text/html' }]] as const) {
      const res = await dav(t.app, method, home('alice', 'docs'), { as: alice, headers });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
      expect(res.body).toBe(method === 'GET' ? TEXT : '');
    }
  });
});
