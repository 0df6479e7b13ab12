import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { type Credentials, graph } from '../../helpers/graph.js';
import { mkcol, put } from '../dav/dav-helpers.js';
import { ROLE } from './drives-helpers.js';

const OCS_SHARES = '/apps/files_sharing/api/v1/shares';
const beta = (rest: string) => `/graph/v1beta1${rest}`;
const NC_ENFORCED = 'Passwords are enforced for link and mail shares';
const OCIS_ENFORCED = 'password protection is enforced';

/**
 * One share row, written by one service, whichever API asks; each API
 * answers a refusal as its reference does: Nextcloud's OCS messages and
 * statuses, oCIS's Graph ones.
 */
describeEachDb('Shares over OCS and Graph: one writer, each reference\'s answers', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let drive: string;
  const item: Record<string, string> = {};
  const g = (as: Credentials, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => graph(t.app, method, beta(url), { as, body });
  const ocsAs = (as: Credentials, method: 'GET' | 'POST' | 'PUT' | 'DELETE', rest: string, body?: Record<string, unknown>) => ocs(t.app, method, `${OCS_SHARES}${rest}`, { as, body });

  beforeAll(async () => {
    t = await buildTestApp(kind, { SHARE_LINK_ENFORCE_PASSWORD: 'true', SHARE_ALLOW_GROUP_SHARING: 'false' });
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    await newGroup(t.app, 'crew');
    await mkcol(t.app, '/remote.php/dav/files/alice/team', { as: alice });
    await put(t.app, '/remote.php/dav/files/alice/note.txt', 'hello', { as: alice });
    drive = (await graph(t.app, 'GET', '/graph/v1.0/me/drive', { as: alice })).data.id;
    for (const i of (await graph(t.app, 'GET', '/graph/v1.0/me/drive/root/children', { as: alice })).data.value) item[i.name] = i.id;
  });
  afterAll(async () => t?.close());

  it('an enforced link password: 403 with Nextcloud\'s words over OCS, 400 invalidRequest with oCIS\'s over Graph, on create and on removal', async () => {
    const ocsBare = await ocsAs(alice, 'POST', '', { path: '/note.txt', shareType: 3 });
    expect([ocsBare.statusCode, ocsBare.ocs.meta.message]).toEqual([403, NC_ENFORCED]);
    const graphBare = await g(alice, 'POST', `/drives/${drive}/items/${item['note.txt']}/createLink`, { type: 'view' });
    expect([graphBare.statusCode, graphBare.data.error.code, graphBare.data.error.message]).toEqual([400, 'invalidRequest', OCIS_ENFORCED]);

    // A link made over one API and stripped of its password over the other is refused by each in its own way.
    const overGraph = (await g(alice, 'POST', `/drives/${drive}/items/${item['note.txt']}/createLink`, { type: 'view', password: 'Graph-Secret-42' })).data.id;
    const cleared = await ocsAs(alice, 'PUT', `/${overGraph}`, { password: '' });
    expect([cleared.statusCode, cleared.ocs.meta.message]).toEqual([403, NC_ENFORCED]);
    const overOcs = (await ocsAs(alice, 'POST', '', { path: '/note.txt', shareType: 3, password: 'Ocs-Secret-4242' })).ocs.data.id;
    const unset = await g(alice, 'POST', `/drives/${drive}/items/${item['note.txt']}/permissions/${overOcs}/setPassword`, { password: '' });
    expect([unset.statusCode, unset.data.error.message]).toEqual([400, OCIS_ENFORCED]);
    expect((await ocsAs(alice, 'GET', `/${overOcs}`)).ocs.data[0].password).toBeTruthy();
  });

  it('an internal link needs no password, but made public it does, over either API', async () => {
    const internal = (await g(alice, 'POST', `/drives/${drive}/items/${item.team}/createLink`, { type: 'internal' })).data.id;
    const viaOcs = await ocsAs(alice, 'PUT', `/${internal}`, { permissions: 1 });
    expect([viaOcs.statusCode, viaOcs.ocs.meta.message]).toEqual([403, NC_ENFORCED]);
    const viaGraph = await g(alice, 'PATCH', `/drives/${drive}/items/${item.team}/permissions/${internal}`, { link: { type: 'view' } });
    expect([viaGraph.statusCode, viaGraph.data.error.message]).toEqual([400, OCIS_ENFORCED]);
    expect((await ocsAs(alice, 'GET', `/${internal}`)).ocs.data[0].permissions).toBe(0);
  });

  it('a label over 255 characters, group sharing switched off: the same rule, each API\'s answer', async () => {
    const long = 'x'.repeat(256);
    const ocsLabel = await ocsAs(alice, 'POST', '', { path: '/team', shareType: 3, password: 'Long-Label-Pass-1', label: long });
    expect([ocsLabel.statusCode, ocsLabel.ocs.meta.message]).toEqual([400, 'Maximum label length is 255']);
    const graphLabel = await g(alice, 'POST', `/drives/${drive}/items/${item.team}/createLink`, { type: 'view', password: 'Long-Label-Pass-1', displayName: long });
    expect([graphLabel.statusCode, graphLabel.data.error.message]).toEqual([400, 'the display name of a link may have at most 255 characters']);

    const ocsGroup = await ocsAs(alice, 'POST', '', { path: '/team', shareType: 1, shareWith: 'crew' });
    expect([ocsGroup.statusCode, ocsGroup.ocs.meta.message]).toEqual([404, 'Group sharing is disabled by the administrator']);
    const graphGroup = await g(alice, 'POST', `/drives/${drive}/items/${item.team}/invite`, { recipients: [{ objectId: 'crew', '@libre.graph.recipient.type': 'group' }], roles: [ROLE.viewer] });
    expect([graphGroup.statusCode, graphGroup.data.error.code, graphGroup.data.error.message]).toEqual([403, 'accessDenied', 'group sharing is disabled by the administrator']);
  });

  it('sharing again: Nextcloud answers the share there, oCIS refuses (409); both see one row', async () => {
    const first = await ocsAs(alice, 'POST', '', { path: '/team', shareType: 0, shareWith: 'bob', permissions: 31 });
    expect(first.statusCode).toBe(200);
    expect((await ocsAs(alice, 'POST', '', { path: '/team', shareType: 0, shareWith: 'bob' })).ocs.data.id).toBe(first.ocs.data.id);
    const again = await g(alice, 'POST', `/drives/${drive}/items/${item.team}/invite`, { recipients: [{ objectId: 'bob' }], roles: [ROLE.viewer] });
    expect([again.statusCode, again.data.error.message]).toEqual([409, 'the item is already shared with this recipient: update that permission instead']);
    const listed = (await g(alice, 'GET', `/drives/${drive}/items/${item.team}/permissions`)).data.value.filter((p: any) => p.grantedToV2?.user?.id === 'bob');
    expect(listed.map((p: any) => p.id)).toEqual([first.ocs.data.id]);
  });

  it('a recipient resharing to the owner is refused by both; a recipient may drop a share over OCS, not delete it over Graph', async () => {
    const share = (await ocsAs(alice, 'GET', '?path=/team')).ocs.data.find((s: any) => s.share_with === 'bob');
    const toOwner = await ocsAs(bob, 'POST', '', { path: '/team', shareType: 0, shareWith: 'alice' });
    expect([toOwner.statusCode, toOwner.ocs.meta.message]).toEqual([403, 'Cannot share with the share owner']);
    const inviteOwner = await g(bob, 'POST', `/drives/${drive}/items/${item.team}/invite`, { recipients: [{ objectId: 'alice' }], roles: [ROLE.viewer] });
    expect([inviteOwner.statusCode, inviteOwner.data.error.message]).toEqual([400, 'cannot share an item with its owner']);

    const graphDelete = await g(bob, 'DELETE', `/drives/${drive}/items/${item.team}/permissions/${share.id}`);
    expect([graphDelete.statusCode, graphDelete.data.error.message]).toEqual([403, 'permission denied: you may not change this permission']);
    expect((await ocsAs(bob, 'DELETE', `/${share.id}`)).statusCode).toBe(200);
    expect((await ocsAs(alice, 'GET', `/${share.id}`)).statusCode).toBe(404);
  });
});
