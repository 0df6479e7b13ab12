import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, buildTestApp, describeEachDb, newGroup, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { GLOBAL_ROLE_IDS } from '../../helpers/graph.js';
import { freePort, listeningFederated, type ListeningApp } from '../../helpers/loopback.js';
import { signIn } from '../web/signin-helpers.js';
import { codeFor, token } from './oidc-helpers.js';

/** Nimbus A is registered at Nimbus B (the provider) as this client. */
const CLIENT = { id: 'nimbus-a', secret: 'client-secret-of-nimbus-a-2026' };
/** A is served at https, so B registers it as a web client (an http redirect would have to be a loopback one). */
const A_URL = 'https://nimbus-a.test';
const CALLBACK = `${A_URL}/login/oidc/callback`;

export const providerEnv = (): Record<string, string> => ({
  OIDC_CLIENTS: JSON.stringify([{ client_id: CLIENT.id, client_secret: CLIENT.secret, name: 'Nimbus A', redirect_uris: [CALLBACK] }]),
});

/** A's settings for trusting B; B's access tokens are for B itself (aud = its issuer), so that is the audience A expects. */
const trusting = (b: ListeningApp, extra: Record<string, string> = {}): Record<string, string> => ({
  PUBLIC_URL: A_URL,
  OIDC_ISSUER: b.base,
  OIDC_ISSUER_ALLOW_HTTP: 'true',
  OIDC_PROVIDER_NAME: 'Nimbus B',
  OIDC_CLIENT_ID: CLIENT.id,
  OIDC_CLIENT_SECRET: CLIENT.secret,
  OIDC_AUDIENCE: b.base,
  ...extra,
});

describeEachDb('Trusting an external OpenID Connect provider', (kind) => {
  let b: ListeningApp;
  let a: TestApp;
  const people: Record<string, { user: string; password: string }> = {};
  let jwksFetches = 0;

  beforeAll(async () => {
    b = await listeningFederated(kind, providerEnv(), (app) => app.addHook('onRequest', async (request) => {
      if (request.url === '/oidc/jwks') jwksFetches++;
    }));
    for (const g of ['staff', 'managers', 'extra']) await newGroup(b.app, g);
    people.alice = await newUser(b.app, 'alice', { displayName: 'Alice Liddell', email: 'alice@example.org', groups: ['staff', 'extra'] });
    people.boss = await newUser(b.app, 'boss', { groups: ['admin'] });
    people.nobody = await newUser(b.app, 'nobody');
    people.dave = await newUser(b.app, 'dave', { groups: ['staff'] });
    a = await buildTestApp(kind, trusting(b, { OIDC_AUTOPROVISION: 'true', OIDC_ROLE_CLAIM: 'groups', OIDC_ROLE_MAPPING: 'admin=admin,spaceadmin=managers,user=staff' }) as never);
    await newGroup(a.app, 'staff');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** An access token from B, by the code flow over HTTP as the desktop app gets one. */
  const tokenFromB = async (who: string): Promise<{ access_token: string; id_token: string }> => {
    const br = await signIn(b.app, people[who]!.user, people[who]!.password);
    const { code, verifier, redirectUri } = await codeFor(br, { clientId: CLIENT.id, redirectUri: CALLBACK, scope: 'openid profile email' }, b.base);
    const res = await token(b.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }, CLIENT);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

  const expectRefusedEverywhere = async (app: TestApp['app'], jwt: string) => {
    const graph = await app.inject({ url: '/graph/v1.0/me/drives', headers: bearer(jwt) });
    expect(graph.statusCode, graph.body).toBe(401);
    expect(graph.json().error.code).toBeTruthy();
    const dav = await app.inject({ method: 'PROPFIND' as 'GET', url: '/remote.php/dav/files/alice/', headers: { ...bearer(jwt), depth: '0' } });
    expect(dav.statusCode).toBe(401);
    expect(dav.body).toContain('<d:error');
    const o = await ocs(app, 'GET', '/cloud/user', { as: null, headers: bearer(jwt) });
    expect(o.statusCode).toBe(401);
    expect(o.ocs.meta.statuscode).toBe(997);
  };

  const bKey = async (): Promise<{ key: CryptoKey; kid: string }> => {
    const row = (await b.db.selectFrom('oidc_signing_keys' as never).selectAll().executeTakeFirstOrThrow()) as { private_jwk: string };
    const jwk = JSON.parse(row.private_jwk) as JWK;
    return { key: (await importJWK(jwk, 'RS256')) as CryptoKey, kid: jwk.kid! };
  };
  const signedByB = async (claims: Record<string, unknown>) => {
    const { key, kid } = await bKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: b.base, aud: b.base, iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key);
  };

  it('accepts B\'s token as Bearer on Graph, WebDAV and OCS, provisioning the user from the claims', async () => {
    const { access_token } = await tokenFromB('alice');
    const h = bearer(access_token);
    const me = await a.app.inject({ url: '/graph/v1.0/me?$expand=memberOf,appRoleAssignments', headers: h });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ id: 'alice', displayName: 'Alice Liddell', mail: 'alice@example.org' });
    // Only the groups that exist on A; the role from the `groups` claim (staff → User).
    expect(me.json().memberOf.map((g: { id: string }) => g.id)).toEqual(['staff']);
    expect(me.json().appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    expect((await a.app.inject({ url: '/graph/v1.0/me/drives', headers: h })).statusCode).toBe(200);
    const dav = await a.app.inject({ method: 'PROPFIND' as 'GET', url: '/remote.php/dav/files/alice/', headers: { ...h, depth: '0' } });
    expect(dav.statusCode).toBe(207);
    const put = await a.app.inject({ method: 'PUT', url: '/remote.php/dav/files/alice/hello.txt', headers: h, payload: 'hi' });
    expect(put.statusCode).toBe(201);
    const o = await ocs(a.app, 'GET', '/cloud/user', { as: null, headers: h });
    expect(o.statusCode).toBe(200);
    expect(o.ocs.data.id).toBe('alice');
    // The account has no password of its own: Basic with anything stays shut.
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: { authorization: basic('alice', people.alice!.password) } })).statusCode).toBe(401);
    const link = await a.db.selectFrom('oidc_identities' as never).selectAll().execute();
    expect(link).toEqual([expect.objectContaining({ issuer: b.base, subject: 'alice', user_id: 'alice' })]);
  });

  it('takes the role from the claim at every sign-in (admin group → Admin) and refuses a user with no mapped role', async () => {
    const { access_token } = await tokenFromB('boss');
    const me = await a.app.inject({ url: '/graph/v1.0/me?$expand=appRoleAssignments', headers: bearer(access_token) });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.admin);
    const users = await ocs(a.app, 'GET', '/cloud/users', { as: null, headers: bearer(access_token) });
    expect(users.statusCode).toBe(200);
    // Demoted at the provider: the next token makes boss a User again.
    await ocs(b.app, 'POST', '/cloud/users/boss/groups', { body: { groupid: 'staff' } });
    await ocs(b.app, 'DELETE', '/cloud/users/boss/groups', { body: { groupid: 'admin' } });
    const again = await tokenFromB('boss');
    const after = await a.app.inject({ url: '/graph/v1.0/me?$expand=appRoleAssignments', headers: bearer(again.access_token) });
    expect(after.json().appRoleAssignments[0].appRoleId).toBe(GLOBAL_ROLE_IDS.user);
    expect((await ocs(a.app, 'GET', '/cloud/users', { as: null, headers: bearer(again.access_token) })).statusCode).toBe(403);
    // No group of the mapping: no sign-in (oCIS refuses a login without a role), and no account is made.
    const none = await tokenFromB('nobody');
    await expectRefusedEverywhere(a.app, none.access_token);
    expect(await a.db.selectFrom('users' as never).selectAll().where('id' as never, '=', 'nobody' as never).execute()).toEqual([]);
  });

  it('refuses tampered, alg none, other-key, other-audience, other-issuer and expired tokens with 401 in each family', async () => {
    const { access_token } = await tokenFromB('alice');
    const [head, body, sig] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    await expectRefusedEverywhere(a.app, `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'boss' })).toString('base64url')}.${sig}`);
    await expectRefusedEverywhere(a.app, `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${body}.`);
    const { kid } = await bKey();
    const other = (await generateKeyPair('RS256')).privateKey;
    await expectRefusedEverywhere(a.app, await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(other));
    await expectRefusedEverywhere(a.app, await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'made-up-kid' }).sign(other));
    // HS256 with the public key's text as the secret (the classic key confusion) is refused by alg alone.
    await expectRefusedEverywhere(a.app, await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(CLIENT.secret)));
    await expectRefusedEverywhere(a.app, await signedByB({ ...claims, aud: 'https://elsewhere.example' }));
    await expectRefusedEverywhere(a.app, await signedByB({ ...claims, iss: 'https://elsewhere.example' }));
    const now = Math.floor(Date.now() / 1000);
    await expectRefusedEverywhere(a.app, await signedByB({ ...claims, iat: now - 900, exp: now - 600 }));
    // The genuine token still works: nothing above was remembered against it.
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(access_token) })).statusCode).toBe(200);
  });

  it('holds B\'s keys in memory, and fetches them again for an unknown key id at most every 10 seconds', async () => {
    const { access_token } = await tokenFromB('alice');
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(access_token) })).statusCode).toBe(200);
    // A has fetched them (the counter does see the fetches); a second token of a known key fetches nothing.
    const before = jwksFetches;
    expect(before).toBeGreaterThan(0);
    const second = await tokenFromB('alice');
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(second.access_token) })).statusCode).toBe(200);
    expect(jwksFetches).toBe(before);
    const other = (await generateKeyPair('RS256')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const forged = (kid: string) => new SignJWT({ iss: b.base, aud: b.base, sub: 'alice', exp: now + 60 }).setProtectedHeader({ alg: 'RS256', kid }).sign(other);
    for (const kid of ['unknown-1', 'unknown-2', 'unknown-3']) await expectRefusedEverywhere(a.app, await forged(kid));
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('finds users by the issuer and subject it linked: a renamed claim keeps the account, a reused name opens nobody\'s', async () => {
    await tokenFromB('alice').then(({ access_token }) => a.app.inject({ url: '/graph/v1.0/me', headers: bearer(access_token) }));
    const renamed = await signedByB({ sub: 'alice', preferred_username: 'alice-renamed', name: 'A', groups: ['staff'] });
    const me = await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(renamed) });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().id).toBe('alice');
    const impostor = await signedByB({ sub: 'someone-else', preferred_username: 'alice', name: 'Not Alice', groups: ['staff'] });
    await expectRefusedEverywhere(a.app, impostor);
  });

  it('refuses a remembered token once its user is disabled on A', async () => {
    const { access_token } = await tokenFromB('dave');
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(access_token) })).statusCode).toBe(200);
    expect((await ocs(a.app, 'PUT', '/cloud/users/dave/disable')).statusCode).toBe(200);
    await expectRefusedEverywhere(a.app, access_token);
    expect((await ocs(a.app, 'PUT', '/cloud/users/dave/enable')).statusCode).toBe(200);
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(access_token) })).statusCode).toBe(200);
    // Deleted, and another dave made by an admin: the remembered token is not the new account's.
    expect((await ocs(a.app, 'DELETE', '/cloud/users/dave')).statusCode).toBe(200);
    await newUser(a.app, 'dave');
    await expectRefusedEverywhere(a.app, access_token);
  });

  it('still accepts its own provider\'s tokens beside the external ones', async () => {
    const own = await newUser(a.app, 'local');
    const br = await signIn(a.app, own.user, own.password);
    const { code, verifier, redirectUri } = await codeFor(br, {}, A_URL);
    const res = await token(a.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(res.statusCode).toBe(200);
    expect((await a.app.inject({ url: '/graph/v1.0/me', headers: bearer(res.json().access_token) })).json().id).toBe('local');
  });

  describe('without autoprovisioning, instead of its own provider', () => {
    let strict: TestApp;
    beforeAll(async () => {
      strict = await buildTestApp(kind, trusting(b, { OIDC_ENABLED: 'false' }) as never);
      await newUser(strict.app, 'dave');
    });
    afterAll(async () => strict?.close());

    it('refuses a user it does not know with 401, and links an existing account matched by preferred_username', async () => {
      const alice = await tokenFromB('alice');
      await expectRefusedEverywhere(strict.app, alice.access_token);
      expect(await strict.db.selectFrom('users' as never).selectAll().where('id' as never, '=', 'alice' as never).execute()).toEqual([]);
      const dave = await tokenFromB('dave');
      const me = await strict.app.inject({ url: '/graph/v1.0/me', headers: bearer(dave.access_token) });
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json().id).toBe('dave');
      // Its own provider is off: no discovery of its own, and tokens only from B.
      expect((await strict.app.inject({ url: '/.well-known/openid-configuration' })).statusCode).toBe(404);
    });
  });

  describe('when the provider cannot be reached', () => {
    let lonely: TestApp;
    let dead: string;
    beforeAll(async () => {
      dead = `http://127.0.0.1:${await freePort()}`;
      lonely = await buildTestApp(kind, { ...trusting(b), OIDC_ISSUER: dead, OIDC_AUDIENCE: dead, FEDERATION_TIMEOUT_SECONDS: '2' } as never);
    });
    afterAll(async () => lonely?.close());

    it('answers 503 in each family\'s format (and on the sign-in page), not 401 or 500', async () => {
      const other = (await generateKeyPair('RS256')).privateKey;
      const jwt = await new SignJWT({ iss: dead, aud: dead, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'RS256', kid: 'k' }).sign(other);
      const graph = await lonely.app.inject({ url: '/graph/v1.0/me', headers: bearer(jwt) });
      expect(graph.statusCode).toBe(503);
      expect(graph.json().error.code).toBe('serviceNotAvailable');
      const dav = await lonely.app.inject({ method: 'PROPFIND' as 'GET', url: '/remote.php/dav/files/alice/', headers: { ...bearer(jwt), depth: '0' } });
      expect(dav.statusCode).toBe(503);
      expect(dav.body).toContain('<d:error');
      const { browser, csrfOf } = await import('../web/signin-helpers.js');
      const br = browser(lonely.app);
      const page = await br.get('/login');
      const start = await br.post('/login/oidc', { requesttoken: csrfOf(page.body) });
      expect(start.statusCode).toBe(503);
      expect(start.body).toContain('Nimbus B cannot be reached now');
    });
  });

  describe('Sign in with the provider on the web sign-in page', () => {
    const startFlow = async (jarApp: TestApp['app']) => {
      const { browser, csrfOf } = await import('../web/signin-helpers.js');
      const br = browser(jarApp);
      const page = await br.get('/login');
      expect(page.body).toContain('Sign in with Nimbus B');
      return { br, csrf: csrfOf(page.body) };
    };

    it('runs the code flow with PKCE, state and nonce and opens a session', async () => {
      const { br, csrf } = await startFlow(a.app);
      const start = await br.post('/login/oidc', { requesttoken: csrf, redirect_url: '/account' });
      expect(start.statusCode, start.body).toBe(303);
      const auth = new URL(String(start.headers.location));
      expect(auth.origin).toBe(b.base);
      expect(Object.fromEntries(auth.searchParams)).toMatchObject({ client_id: CLIENT.id, redirect_uri: CALLBACK, response_type: 'code', code_challenge_method: 'S256' });
      expect(auth.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(auth.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9]{32}$/);
      // At B, as alice signed in there.
      const atB = await signIn(b.app, people.alice!.user, people.alice!.password);
      let res = await atB.get(auth.pathname + auth.search);
      for (let i = 0; i < 6 && new URL(String(res.headers.location), b.base).origin === b.base; i++) {
        const next = new URL(String(res.headers.location), b.base);
        res = await atB.get(next.pathname + next.search);
      }
      const back = new URL(String(res.headers.location));
      expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
      // Another browser cannot use the code: its flow cookie is missing.
      const stranger = (await startFlow(a.app)).br;
      const foreign = await stranger.get(back.pathname + back.search);
      expect(foreign.statusCode).toBe(401);
      expect(foreign.body).toContain('another browser');
      // A wrong state in this browser is refused too (and ends the flow).
      const { br: other, csrf: otherCsrf } = await startFlow(a.app);
      await other.post('/login/oidc', { requesttoken: otherCsrf });
      const wrong = await other.get(`/login/oidc/callback?code=x&state=${'a'.repeat(32)}`);
      expect(wrong.statusCode).toBe(401);
      const done = await br.get(back.pathname + back.search);
      expect(done.statusCode, done.body).toBe(303);
      expect(done.headers.location).toBe('/account');
      expect(br.jar.get('nimbus_session')).toBeTruthy();
      const account = await br.get('/account');
      expect(account.body).toContain('Alice Liddell');
      // The code was single-use: the same callback again fails (the flow cookie is gone).
      expect((await br.get(back.pathname + back.search)).statusCode).toBe(401);
    });

    it('refuses a start without the form\'s CSRF token, and a provider error', async () => {
      const { br } = await startFlow(a.app);
      expect((await br.post('/login/oidc', { requesttoken: 'forged' })).statusCode).toBe(403);
      const { br: br2, csrf } = await startFlow(a.app);
      const start = await br2.post('/login/oidc', { requesttoken: csrf });
      const state = new URL(String(start.headers.location)).searchParams.get('state');
      const denied = await br2.get(`/login/oidc/callback?error=access_denied&state=${state}`);
      expect(denied.statusCode).toBe(401);
      expect(denied.body).toContain('did not sign you in');
      expect(br2.jar.get('nimbus_session')).toBeFalsy();
    });

    it('counts codes the provider refuses in the sign-in throttle of the address (429 past the limit)', async () => {
      const { browser, csrfOf } = await import('../web/signin-helpers.js');
      let br = browser(a.app, '10.99.0.1');
      const attempt = async () => {
        const page = await br.get('/login');
        const start = await br.post('/login/oidc', { requesttoken: csrfOf(page.body) });
        const state = new URL(String(start.headers.location)).searchParams.get('state');
        return br.get(`/login/oidc/callback?code=not-a-code-of-b&state=${state}`);
      };
      // LOGIN_MAX_FAILURES (10 by default): B refuses each made-up code.
      for (let i = 0; i < 10; i++) expect((await attempt()).statusCode).toBe(401);
      const throttled = await attempt();
      expect(throttled.statusCode).toBe(429);
      expect(throttled.body).toContain('too many failed sign-in attempts');
      // Another address is not held back: its refused code is a 401 again.
      br = browser(a.app, '10.99.1.1');
      expect((await attempt()).statusCode).toBe(401);
    });
  });
});
