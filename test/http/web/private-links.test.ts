import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_MEMBER_RULES } from '../../../src/services/spaces/space-members.service.js';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { graph } from '../../helpers/graph.js';
import { type Credentials, dav, mkcol, multistatus, propfind, put } from '../dav/dav-helpers.js';
import { type Browser, browser, signIn } from './signin-helpers.js';

const VIEWER = 'a8d5fe5e-96e3-418d-825b-534dbdf22b99';
const home = (u: string, path = '') => `/remote.php/dav/files/${u}/${path}`;

/** Private links: /f/{id} opens the web app where the caller sees the node (Nextcloud's ViewController::showFile, oCIS's webUrl). */
describeEachDb('Web: private links', (kind) => {
  let t: TestApp;
  let alice: Credentials;
  let bob: Credentials;
  let carol: Credentials;
  let asAlice: Browser;
  let asBob: Browser;
  let asCarol: Browser;
  let spaceId: string;
  let storageId: string;
  const privateLink = async (url: string, as: Credentials): Promise<string> => {
    const ms = multistatus(await propfind(t.app, url, ['oc:privatelink'], { as, depth: '0' }));
    const link = ms[0]!.ok['oc:privatelink'] as string;
    expect(link).toMatch(/^http:\/\/nimbus\.test\/f\/\d+$/);
    return new URL(link).pathname;
  };
  const location = (res: { statusCode: number; headers: Record<string, unknown>; body: string }): URL => {
    expect(res.statusCode, res.body).toBe(303);
    return new URL(String(res.headers.location), 'http://nimbus.test');
  };
  const route = (u: URL) => Object.fromEntries(u.searchParams);

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
    await mkcol(t.app, home('alice', 'Projects'), { as: alice });
    await mkcol(t.app, home('alice', 'Projects/Mars'), { as: alice });
    await put(t.app, home('alice', 'Projects/Mars/plan.txt'), 'plan', { as: alice });
    const share = await ocs(t.app, 'POST', '/apps/files_sharing/api/v1/shares', { as: alice, body: { path: '/Projects/Mars', shareType: 0, shareWith: 'bob', permissions: 1 } });
    expect(share.statusCode, share.body).toBe(200);
    const created = await t.app.services.spaces.create(ADMIN.user, { name: 'Team' });
    spaceId = created.views[0]!.space.id;
    await t.app.services.spaceMembers.grant(ADMIN.user, spaceId, { grantee: { principalType: 'user', principalId: 'bob' }, roleId: VIEWER }, GRAPH_MEMBER_RULES);
    await mkcol(t.app, `/dav/spaces/${spaceId}/docs`);
    await put(t.app, `/dav/spaces/${spaceId}/docs/spec.md`, 'spec');
    storageId = (await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: bob })).data.value[0].id.split('$')[0];
    [asAlice, asBob, asCarol] = await Promise.all([signIn(t.app, alice.user, alice.password), signIn(t.app, bob.user, bob.password, { remoteAddress: '10.20.0.2' }), signIn(t.app, carol.user, carol.password, { remoteAddress: '10.20.0.3' })]);
  });
  afterAll(async () => t?.close());

  it("opens the owner's file in its folder, and a folder as itself", async () => {
    const file = location(await asAlice.get(await privateLink(home('alice', 'Projects/Mars/plan.txt'), alice)));
    expect(file.pathname).toBe('/apps/files/');
    expect(route(file)).toEqual({ dir: '/Projects/Mars', openfile: 'plan.txt' });
    const folder = await privateLink(home('alice', 'Projects'), alice);
    expect(route(location(await asAlice.get(folder)))).toEqual({ dir: '/Projects' });
    expect(route(location(await asAlice.get(`/index.php${folder}`)))).toEqual({ dir: '/Projects' });
  });

  it('opens a received share where the recipient has it mounted', async () => {
    const link = await privateLink(home('alice', 'Projects/Mars/plan.txt'), alice);
    expect(route(location(await asBob.get(link)))).toEqual({ dir: '/Mars', openfile: 'plan.txt' });
    expect(route(location(await asBob.get(await privateLink(home('alice', 'Projects/Mars'), alice))))).toEqual({ dir: '/Mars' });
  });

  it('opens a space item in the space view', async () => {
    const link = await privateLink(`/dav/spaces/${spaceId}/docs/spec.md`, bob);
    expect(route(location(await asBob.get(link)))).toEqual({ view: 'space', space: `${storageId}$${spaceId}`, dir: '/docs', openfile: 'spec.md' });
  });

  it('is the 404 page for what the caller cannot see, an unknown id, or garbage', async () => {
    const links = [await privateLink(home('alice', 'Projects/Mars/plan.txt'), alice), await privateLink(home('alice', 'Projects'), alice), await privateLink(`/dav/spaces/${spaceId}/docs`, bob)];
    for (const url of [...links, '/f/99999999', '/f/abc', '/f/0', `/f/${storageId}$nope!x`, `/f/other$${spaceId}`, '/f/a%2Fb', `/f/${storageId}$${spaceId}!`]) {
      const res = await asCarol.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.body).toContain('File not found');
    }
  });

  it('sends a browser without a session to sign in, and back to the link', async () => {
    const link = await privateLink(home('alice', 'Projects'), alice);
    const res = await browser(t.app).get(link);
    const to = location(res);
    expect(to.pathname).toBe('/login');
    expect(to.searchParams.get('redirect_url')).toBe(link);
    // Basic credentials are no session: browsers sign in through the form.
    expect(location(await dav(t.app, 'GET', link, { as: alice })).pathname).toBe('/login');
  });

  describe('Graph webUrls', () => {
    it('are /f/ links to the drive and the item, as oCIS writes them, and open them', async () => {
      const drives = (await graph(t.app, 'GET', '/graph/v1.0/me/drives', { as: bob })).data.value as Array<{ id: string; driveType: string; webUrl: string }>;
      const team = drives.find((d) => d.driveType === 'project')!;
      expect(team.webUrl).toBe(`http://nimbus.test/f/${team.id}`);
      // The root's resource id as oCIS's code builds it opens the space too.
      expect(route(location(await asBob.get(`/f/${team.id}!${spaceId}`)))).toEqual({ view: 'space', space: team.id, dir: '/' });
      expect(route(location(await asBob.get(new URL(team.webUrl).pathname)))).toEqual({ view: 'space', space: team.id, dir: '/' });
      const personal = drives.find((d) => d.driveType === 'personal')!;
      expect(route(location(await asBob.get(new URL(personal.webUrl).pathname)))).toEqual({ dir: '/' });
      const shares = drives.find((d) => d.driveType === 'virtual');
      if (shares) expect(route(location(await asBob.get(new URL(shares.webUrl).pathname)))).toEqual({ dir: '/' });

      const items = (await graph(t.app, 'GET', `/graph/v1.0/drives/${team.id}/items/${team.id}/children`, { as: bob })).data.value as Array<{ id: string; name: string; webUrl: string }>;
      const docs = items.find((i) => i.name === 'docs')!;
      expect(docs.webUrl).toBe(`http://nimbus.test/f/${docs.id}`);
      expect(route(location(await asBob.get(new URL(docs.webUrl).pathname)))).toEqual({ view: 'space', space: team.id, dir: '/docs' });
      const inside = (await graph(t.app, 'GET', `/graph/v1.0/drives/${team.id}/items/${docs.id}/children`, { as: bob })).data.value as Array<{ name: string; webUrl: string }>;
      expect(route(location(await asBob.get(new URL(inside.find((i) => i.name === 'spec.md')!.webUrl).pathname)))).toEqual({ view: 'space', space: team.id, dir: '/docs', openfile: 'spec.md' });
      expect((await asCarol.get(new URL(docs.webUrl).pathname)).statusCode).toBe(404);
    });
  });
});
