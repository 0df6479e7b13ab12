import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, basic, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { expectError, expectXmlError, parseXml } from '../../helpers/ocs-assert.js';
import { dav, mkcol, propfind, multistatus, put } from '../dav/dav-helpers.js';

type Creds = { user: string; password: string };

const V2 = '/apps/activity/api/v2/activity';
const SPACE_VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';
const SPACE_EDITOR = '58c63c02-1d89-4572-916a-870abc5a1b7d';
const ITEM_KEYS = ['activity_id', 'app', 'type', 'user', 'subject', 'subject_rich', 'message', 'message_rich', 'object_type', 'object_id', 'object_name', 'objects', 'link', 'icon', 'datetime'];

describeEachDb('OCS activity (seed 004 ACTIVITY, Nextcloud activity app API v2)', (kind) => {
  let t: TestApp;
  let alice: Creds;
  let bob: Creds;
  const files = (u: Creds) => `/remote.php/dav/files/${u.user}`;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
    bob = await newUser(t.app, 'bob', { displayName: 'Bob Builder' });
    // Alice's history, oldest first: seven events from real WebDAV requests.
    const a = files(alice);
    expect((await mkcol(t.app, `${a}/docs`, { as: alice })).statusCode).toBe(201);
    expect((await put(t.app, `${a}/docs/a.txt`, 'one', { as: alice })).statusCode).toBe(201);
    expect((await put(t.app, `${a}/docs/a.txt`, 'two', { as: alice })).statusCode).toBe(204);
    expect((await dav(t.app, 'MOVE', `${a}/docs/a.txt`, { as: alice, headers: { destination: `${a}/docs/b.txt` } })).statusCode).toBe(201);
    expect((await dav(t.app, 'MOVE', `${a}/docs/b.txt`, { as: alice, headers: { destination: `${a}/b.txt` } })).statusCode).toBe(201);
    expect((await dav(t.app, 'COPY', `${a}/b.txt`, { as: alice, headers: { destination: `${a}/c.txt` } })).statusCode).toBe(201);
    expect((await dav(t.app, 'DELETE', `${a}/c.txt`, { as: alice })).statusCode).toBe(204);
  });
  afterAll(async () => t?.close());

  const list = (as: Creds | null, query = '', o: { version?: 1 | 2; headers?: Record<string, string>; filter?: string } = {}) =>
    ocs(t.app, 'GET', `${V2}${o.filter ? `/${o.filter}` : ''}${query ? `?${query}` : ''}`, { as, version: o.version, headers: o.headers });

  async function fileIdOf(u: Creds, path: string): Promise<number> {
    const [r] = multistatus(await propfind(t.app, `${files(u)}/${path}`, ['oc:fileid'], { as: u }));
    return Number(r!.ok['oc:fileid']);
  }

  it('records every file event of a WebDAV change and lists them newest first, as Nextcloud words them', async () => {
    const res = await list(alice);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.ocs.data;
    expect(items.map((i: any) => [i.type, i.subject])).toEqual([
      ['file_deleted', 'You deleted c.txt'],
      ['file_created', 'You created c.txt'],
      ['file_changed', 'You moved docs/b.txt to b.txt'],
      ['file_changed', 'You renamed docs/a.txt to docs/b.txt'],
      ['file_changed', 'You changed docs/a.txt'],
      ['file_created', 'You created docs/a.txt'],
      ['file_created', 'You created docs'],
    ]);
    const ids = items.map((i: any) => i.activity_id);
    expect([...ids].sort((x: number, y: number) => y - x)).toEqual(ids);
    for (const i of items) {
      expect(Object.keys(i)).toEqual(ITEM_KEYS);
      expect(i).toMatchObject({ app: 'files', user: 'alice', message: '', message_rich: ['', []], object_type: 'files', icon: '' });
      expect(i.datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(i.objects).toEqual({ [String(i.object_id)]: i.object_name });
    }
    // The file id is the node's oc:fileid; a rename keeps it.
    const b = await fileIdOf(alice, 'b.txt');
    expect(items[2]).toMatchObject({ object_id: b, object_name: '/b.txt', link: 'http://nimbus.test/index.php/apps/files/?dir=%2F' });
    expect(items[3]).toMatchObject({ object_id: b, object_name: '/docs/b.txt', link: 'http://nimbus.test/index.php/apps/files/?dir=%2Fdocs' });
    expect(items[2].subject_rich).toEqual([
      'You moved {oldfile} to {newfile}',
      {
        oldfile: { type: 'file', id: String(b), name: 'b.txt', path: 'docs/b.txt', link: `http://nimbus.test/f/${b}` },
        newfile: { type: 'file', id: String(b), name: 'b.txt', path: 'b.txt', link: `http://nimbus.test/f/${b}` },
      },
    ]);
    expect(items[6].subject_rich).toEqual(['You created {file}', { file: { type: 'file', id: String(items[6].object_id), name: 'docs', path: 'docs', link: `http://nimbus.test/f/${items[6].object_id}` } }]);
    // A copy is a new file with its own id.
    expect(items[1].object_id).not.toBe(b);
  });

  it('pages with since/limit: First-Known, Last-Given, a Link to the next page, and 304 past the end', async () => {
    const all = (await list(alice)).ocs.data.map((i: any) => i.activity_id);
    const first = await list(alice, 'limit=3');
    expect(first.ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(0, 3));
    expect(first.headers['x-activity-first-known']).toBe(String(all[0]));
    expect(first.headers['x-activity-last-given']).toBe(String(all[2]));
    expect(first.headers.link).toBe(`<http://nimbus.test/ocs/v2.php${V2}?since=${all[2]}&limit=3&sort=desc&format=json>; rel="next"`);

    // Follow the Link as a client does.
    const next = /^<http:\/\/nimbus\.test([^>]+)>/.exec(String(first.headers.link))![1]!;
    const second = await t.app.inject({ url: next, headers: { authorization: basic(alice.user, alice.password), 'OCS-APIRequest': 'true' } });
    expect(second.statusCode).toBe(200);
    expect(second.json().ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(3, 6));
    // A known since gives no First-Known header (Nextcloud's Data::setOffsetFromSince).
    expect(second.headers['x-activity-first-known']).toBeUndefined();
    expect(second.headers['x-activity-last-given']).toBe(String(all[5]));

    const last = await list(alice, `since=${all[5]}&limit=3`);
    expect(last.ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(6));
    expect(last.headers.link).toBeUndefined();
    const end = await list(alice, `since=${all[6]}&limit=3`);
    expect(end.statusCode).toBe(304);
    expect(end.body).toBe('');
    // An unknown since starts from the beginning and says where the stream starts.
    const unknown = await list(alice, 'since=999999999&limit=2');
    expect(unknown.ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(0, 2));
    expect(unknown.headers['x-activity-first-known']).toBe(String(all[0]));
  });

  it('sort=asc lists oldest first, from a since cursor too', async () => {
    const all = (await list(alice)).ocs.data.map((i: any) => i.activity_id).reverse();
    const asc = await list(alice, 'sort=asc&limit=4');
    expect(asc.ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(0, 4));
    expect(asc.headers['x-activity-first-known']).toBe(String(all[0]));
    expect(asc.headers.link).toContain(`since=${all[3]}&limit=4&sort=asc`);
    const rest = await list(alice, `sort=asc&since=${all[3]}`);
    expect(rest.ocs.data.map((i: any) => i.activity_id)).toEqual(all.slice(4));
  });

  it('ETag is the md5 of the ids; If-None-Match that matches is 304 without a body (v1: statuscode 304)', async () => {
    const res = await list(alice, 'limit=2');
    const etag = String(res.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await list(alice, 'limit=2', { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const v1 = await list(alice, 'limit=2', { version: 1, headers: { 'if-none-match': etag } });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta).toMatchObject({ status: 'failure', statuscode: 304 });
    expect(v1.ocs.data).toEqual([]);
  });

  it('lists the filters and applies them; an unknown filter (favorites included) is 404', async () => {
    const filters = await ocs(t.app, 'GET', `${V2}/filters`, { as: alice });
    expect(filters.ocs.data).toEqual([
      { id: 'all', name: 'All activities', icon: '', priority: 0 },
      { id: 'self', name: 'By you', icon: '', priority: 1 },
      { id: 'by', name: 'By others', icon: '', priority: 2 },
      { id: 'files', name: 'File changes', icon: '', priority: 10 },
      { id: 'files_sharing', name: 'File shares', icon: '', priority: 30 },
    ]);
    expect((await list(alice, '', { filter: 'all' })).ocs.data).toHaveLength(7);
    expect((await list(alice, '', { filter: 'self' })).ocs.data).toHaveLength(7);
    expect((await list(alice, '', { filter: 'files' })).ocs.data).toHaveLength(7);
    expect((await list(alice, '', { filter: 'by' })).statusCode).toBe(304);
    expect((await list(alice, '', { filter: 'files_sharing' })).statusCode).toBe(304);
    for (const filter of ['favorites', 'nope']) {
      await expectError(t.app, 'GET', `${V2}/${filter}`, { as: alice }, 404, 404);
      await expectXmlError(t.app, 'GET', `${V2}/${filter}`, { as: alice }, 404, 404);
    }
  });

  it('the `filter` filter keeps one object, given object_type and object_id together', async () => {
    const b = await fileIdOf(alice, 'b.txt');
    const res = await list(alice, `object_type=files&object_id=${b}`, { filter: 'filter' });
    expect(res.ocs.data.map((i: any) => i.subject)).toEqual(['You moved docs/b.txt to b.txt', 'You renamed docs/a.txt to docs/b.txt', 'You changed docs/a.txt', 'You created docs/a.txt']);
    // Only together: one alone matches nothing, as in Nextcloud.
    expect((await list(alice, 'object_type=files', { filter: 'filter' })).statusCode).toBe(304);
  });

  it('a user never sees another user\'s events, and may not page with their ids (403)', async () => {
    expect((await list(bob)).statusCode).toBe(304);
    const aliceIds = (await list(alice)).ocs.data.map((i: any) => i.activity_id);
    await expectError(t.app, 'GET', `${V2}?since=${aliceIds[0]}`, { as: bob }, 403, 403);
    const v1 = await ocs(t.app, 'GET', '/cloud/activity', { as: bob });
    expect(v1.ocs.data).toEqual([]);
  });

  it('anonymous callers get 997 (401) on every activity route', async () => {
    for (const route of ['/cloud/activity', V2, `${V2}/filters`, `${V2}/all`]) await expectError(t.app, 'GET', route, { as: null }, 997, 401);
  });

  it('project space members see each other\'s changes, worded for them', async () => {
    const carol = await newUser(t.app, 'carol', { displayName: 'Carol Danvers' });
    const dan = await newUser(t.app, 'dan');
    // The admin creates the space (and is its Manager); plain users may not.
    const created = await graph(t.app, 'POST', '/graph/v1.0/drives', { body: { name: 'Apollo' } });
    expect(created.statusCode, JSON.stringify(created.data)).toBe(201);
    const driveId = created.data.id;
    for (const [who, role] of [[carol.user, SPACE_EDITOR], [dan.user, SPACE_EDITOR], [bob.user, SPACE_VIEWER]] as const) {
      const inv = await graph(t.app, 'POST', `/graph/v1beta1/drives/${driveId}/root/invite`, {
        body: { recipients: [{ objectId: who, '@libre.graph.recipient.type': 'user' }], roles: [role] },
      });
      expect(inv.statusCode, JSON.stringify(inv.data)).toBe(200);
    }
    const space = `/remote.php/dav/spaces/${driveId}`;
    expect((await put(t.app, `${space}/plan.md`, '# plan', { as: carol })).statusCode).toBe(201);
    expect((await put(t.app, `${space}/plan.md`, '# plan v2', { as: dan })).statusCode).toBe(204);

    const forBob = (await list(bob)).ocs.data;
    expect(forBob.map((i: any) => i.subject)).toEqual(['dan changed plan.md', 'Carol Danvers created plan.md']);
    expect(forBob[1]).toMatchObject({ user: 'carol', object_name: '/plan.md' });
    expect(forBob[1].subject_rich[0]).toBe('{user} created {file}');
    expect(forBob[1].subject_rich[1].user).toEqual({ type: 'user', id: 'carol', name: 'Carol Danvers' });
    const forCarol = await list(carol);
    expect(forCarol.ocs.data.map((i: any) => i.subject)).toEqual(['dan changed plan.md', 'You created plan.md']);
    expect((await list(carol, '', { filter: 'self' })).ocs.data.map((i: any) => i.subject)).toEqual(['You created plan.md']);
    expect((await list(carol, '', { filter: 'by' })).ocs.data.map((i: any) => i.subject)).toEqual(['dan changed plan.md']);
    expect((await list(dan)).ocs.data.map((i: any) => i.subject)).toEqual(['You changed plan.md', 'Carol Danvers created plan.md']);
    // The Manager who made the space hears of it too.
    expect((await list(ADMIN)).ocs.data.map((i: any) => i.subject).slice(0, 2)).toEqual(['dan changed plan.md', 'Carol Danvers created plan.md']);
    // Alice is no member: nothing of Apollo reaches her.
    expect((await list(alice)).ocs.data.every((i: any) => i.user === 'alice')).toBe(true);

    // Deleting the author keeps the events of the others, named by id; the deleted user's own rows go.
    expect((await ocs(t.app, 'DELETE', `/cloud/users/${dan.user}`)).statusCode).toBe(200);
    expect((await list(bob)).ocs.data.map((i: any) => i.subject)).toEqual(['dan changed plan.md', 'Carol Danvers created plan.md']);
    const rows = await t.db.selectFrom('activities').select('id').where('affected_user', '=', dan.user).execute();
    expect(rows).toEqual([]);
  });

  it('cloud/activity (v1 list of seed 004): {id, subject, message, file, link, date}, newest first, start/count', async () => {
    const all = (await list(alice)).ocs.data;
    for (const version of [1, 2] as const) {
      const res = await ocs(t.app, 'GET', '/cloud/activity', { as: alice, version });
      expect(res.statusCode).toBe(200);
      expect(res.ocs.meta.statuscode).toBe(version === 1 ? 100 : 200);
      expect(res.ocs.data).toHaveLength(7);
      expect(res.ocs.data[0]).toEqual({ id: all[0].activity_id, subject: 'You deleted c.txt', message: '', file: '/c.txt', link: 'http://nimbus.test/index.php/apps/files/?dir=%2F', date: all[0].datetime });
    }
    const page = await ocs(t.app, 'GET', '/cloud/activity?start=2&count=3', { as: alice });
    expect(page.ocs.data.map((e: any) => e.id)).toEqual(all.slice(2, 5).map((i: any) => i.activity_id));
    const xml = parseXml((await ocs(t.app, 'GET', '/cloud/activity?count=2', { as: alice, format: 'xml' })).body);
    expect(xml.ocs.data.element).toHaveLength(2);
    expect(xml.ocs.data.element[0]).toMatchObject({ subject: 'You deleted c.txt', file: '/c.txt', message: '' });
  });

  it('answers v1 and XML envelopes for the v2 stream', async () => {
    const v1 = await list(alice, 'limit=1', { version: 1 });
    expect(v1.statusCode).toBe(200);
    expect(v1.ocs.meta).toMatchObject({ status: 'ok', statuscode: 100 });
    expect(v1.ocs.data[0].subject).toBe('You deleted c.txt');
    const res = await ocs(t.app, 'GET', `${V2}?limit=2`, { as: alice, format: 'xml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const el = parseXml(res.body).ocs.data.element;
    expect(el).toHaveLength(2);
    expect(el[0]).toMatchObject({ app: 'files', type: 'file_deleted', user: 'alice', subject: 'You deleted c.txt', object_type: 'files', object_name: '/c.txt' });
    // subject_rich is [template, params]: two <element>s.
    expect(el[0].subject_rich.element[0]).toBe('You deleted {file}');
    expect(el[0].subject_rich.element[1].file).toMatchObject({ type: 'file', name: 'c.txt', path: 'c.txt' });
  });

  it('disabling the activity module hides its routes, its provider entry and its capability', async () => {
    expect((await ocs(t.app, 'DELETE', '/cloud/apps/activity')).statusCode).toBe(200);
    try {
      for (const route of ['/cloud/activity', V2, `${V2}/filters`]) await expectError(t.app, 'GET', route, { as: alice }, 998, 404);
      expect((await t.app.inject({ url: '/ocs-provider/' })).json().services.ACTIVITY).toBeUndefined();
      expect((await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities.activity).toBeUndefined();
    } finally {
      expect((await ocs(t.app, 'POST', '/cloud/apps/activity')).statusCode).toBe(200);
    }
    expect((await t.app.inject({ url: '/ocs-provider/' })).json().services.ACTIVITY).toEqual({ version: 1, endpoints: { list: '/ocs/v2.php/cloud/activity' } });
    expect((await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities.activity).toEqual({ apiv2: ['filters', 'filters-api', 'rich-strings'] });
  });
});
