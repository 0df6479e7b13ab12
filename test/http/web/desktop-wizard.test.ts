import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { csrfOf, FORM, signIn } from './signin-helpers.js';

const UA = 'Mozilla/5.0 (Linux) mirall/3.7.4stable-Debian (build 20230208) (Nextcloud, debian-6.1.0-13-amd64 ClientArchitecture: x86_64 OsArchitecture: x86_64)';
const PROPFIND_LASTMODIFIED = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getlastmodified/></d:prop></d:propfind>';
const PROPFIND_QUOTA = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-available-bytes/><d:quota-used-bytes/></d:prop></d:propfind>';

/**
 * The Nextcloud desktop (3.7) first-run wizard, request by request, as its
 * OwncloudSetupWizard, DetermineAuthTypeJob, Flow2Auth, EntityExistsJob and
 * ConnectionValidator send them, each answered as the client needs to go on.
 * (The avatar request is left out here.)
 */
describeEachDb('the Nextcloud desktop wizard, after Login Flow v2', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice', { displayName: 'Alice Liddell' });
  });
  afterAll(async () => t?.close());

  const client = (method: InjectOptions['method'], url: string, headers: Record<string, string> = {}, payload?: string) =>
    t.app.inject({ method, url, headers: { 'user-agent': UA, ...headers }, payload, remoteAddress: '10.44.0.2' });

  it('connects, finds the remote folder and validates the connection', async () => {
    // CheckServerJob: status.php.
    const status = await client('GET', '/status.php');
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ installed: true, maintenance: false, needsDbUpgrade: false, productname: expect.any(String) });

    // DetermineAuthTypeJob: three requests without credentials.
    expect((await client('GET', '/')).statusCode).toBeLessThan(400);
    const probe = await client('PROPFIND', '/remote.php/dav/files/', { depth: '0' });
    expect(probe.statusCode).toBe(401);
    expect(probe.headers['www-authenticate']).toMatch(/^Basic /);
    const anonCaps = await client('GET', '/ocs/v2.php/cloud/capabilities?format=json', { 'OCS-APIRequest': 'true' });
    expect(anonCaps.statusCode).toBe(200);

    // Flow2Auth: start, the user grants in the browser, the client polls.
    const start = await client('POST', '/index.php/login/v2');
    expect(start.statusCode).toBe(200);
    const flow = start.json() as { poll: { token: string; endpoint: string }; login: string };
    const loginPath = new URL(flow.login).pathname;
    const b = await signIn(t.app, alice.user, alice.password);
    const grantPage = await b.get(loginPath);
    expect(grantPage.statusCode).toBe(200);
    expect((await b.post('/login/v2/grant', { requesttoken: csrfOf(grantPage.body), token: loginPath.split('/').pop()! })).statusCode).toBe(200);
    const polled = await client('POST', new URL(flow.poll.endpoint).pathname, FORM, `token=${flow.poll.token}`);
    expect(polled.statusCode).toBe(200);
    const creds = polled.json() as { server: string; loginName: string; appPassword: string };
    expect(creds.loginName).toBe('alice');
    const auth = { authorization: basic(creds.loginName, creds.appPassword) };
    const ocsHeaders = { ...auth, 'OCS-APIRequest': 'true' };

    // slotConnectToOCUrl: who the app password belongs to (the DAV user).
    const user = await client('GET', '/ocs/v1.php/cloud/user?format=json', ocsHeaders);
    expect(user.statusCode).toBe(200);
    expect(user.json().ocs.meta.statuscode).toBe(100);
    expect(user.json().ocs.data).toMatchObject({ id: 'alice', 'display-name': 'Alice Liddell' });
    const davRoot = `/remote.php/dav/files/${user.json().ocs.data.id}/`;

    // testOwnCloudConnect: PROPFIND getlastmodified on the files root.
    const connect = await client('PROPFIND', davRoot, { ...auth, depth: '0', 'content-type': 'application/xml' }, PROPFIND_LASTMODIFIED);
    expect(connect.statusCode).toBe(207);
    expect(connect.body).toContain('<d:getlastmodified>');

    // slotCreateLocalAndRemoteFolders: EntityExistsJob's HEAD on the remote folder (was 501).
    const head = await client('HEAD', davRoot, auth);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');

    // ConnectionValidator, once the account is saved.
    expect((await client('GET', '/status.php')).statusCode).toBe(200);
    expect((await client('PROPFIND', davRoot, { ...auth, depth: '0' }, PROPFIND_LASTMODIFIED)).statusCode).toBe(207);
    const caps = await client('GET', '/ocs/v2.php/cloud/capabilities?format=json', ocsHeaders);
    expect(caps.statusCode).toBe(200);
    const c = caps.json().ocs.data.capabilities;
    expect(c.core['webdav-root']).toBe('remote.php/webdav');
    expect(c.dav.chunking).toBe('1.0');
    expect(c.user_status.enabled).toBe(true);
    const me = await client('GET', '/ocs/v2.php/cloud/user?format=json', ocsHeaders);
    expect(me.json().ocs.data.id).toBe('alice');

    // The account's avatar in the tray and settings (AvatarJob), a PNG.
    const avatar = await client('GET', `/remote.php/dav/avatars/alice/128.png`, auth);
    expect(avatar.statusCode).toBe(200);
    expect(avatar.headers['content-type']).toBe('image/png');
    expect(avatar.rawPayload.subarray(1, 4).toString('latin1')).toBe('PNG');

    // The tray: user status, then the apps menu (absolute URLs, with the last ETag once it has one).
    const ownStatus = await client('GET', '/ocs/v2.php/apps/user_status/api/v1/user_status?format=json', ocsHeaders);
    expect([200, 404]).toContain(ownStatus.statusCode);
    const beat = await client('PUT', '/ocs/v2.php/apps/user_status/api/v1/heartbeat?format=json', { ...ocsHeaders, ...FORM }, 'status=online');
    expect(beat.statusCode).toBe(200);
    expect((await client('GET', '/ocs/v2.php/apps/user_status/api/v1/user_status?format=json', ocsHeaders)).json().ocs.data.status).toBe('online');
    const apps = await client('GET', '/ocs/v2.php/core/navigation/apps?absolute=true&format=json', ocsHeaders);
    expect(apps.statusCode).toBe(200);
    expect(apps.json().ocs.data.map((e: { id: string }) => e.id)).toContain('files');
    const again = await client('GET', '/ocs/v2.php/core/navigation/apps?absolute=true&format=json', { ...ocsHeaders, 'if-none-match': apps.headers.etag as string });
    expect(again.statusCode).toBe(304);

    // Quota in the account settings: PROPFIND on the root.
    const quota = await client('PROPFIND', davRoot, { ...auth, depth: '0' }, PROPFIND_QUOTA);
    expect(quota.statusCode).toBe(207);
    expect(quota.body).toMatch(/<d:quota-available-bytes>-?\d+<\/d:quota-available-bytes>/);
    expect(quota.body).toMatch(/<d:quota-used-bytes>\d+<\/d:quota-used-bytes>/);
  });
});
