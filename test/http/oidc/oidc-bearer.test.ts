import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { signIn } from '../web/signin-helpers.js';
import { clientBasic, codeFor, DESKTOP, token } from './oidc-helpers.js';

const ISSUER = 'http://nimbus.test';

describeEachDb('OpenID Connect Bearer tokens', (kind) => {
  let t: TestApp;
  let bob: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind);
    bob = await newUser(t.app, 'bob');
  });
  afterAll(async () => t.close());

  const tokensOf = async (user: { user: string; password: string }) => {
    const b = await signIn(t.app, user.user, user.password);
    const { code, verifier, redirectUri } = await codeFor(b);
    const res = await token(t.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { access_token: string; refresh_token: string; id_token: string };
  };

  /** The same refusal in each family's format: OData error, Sabre error XML, OCS envelope. */
  const expectRefusedEverywhere = async (jwt: string) => {
    const h = { authorization: `Bearer ${jwt}` };
    const graph = await t.app.inject({ url: '/graph/v1.0/me/drives', headers: h });
    expect(graph.statusCode).toBe(401);
    expect(graph.json().error.code).toBeTruthy();
    const dav = await t.app.inject({ method: 'PROPFIND' as 'GET', url: '/remote.php/dav/files/bob/', headers: { ...h, depth: '0' } });
    expect(dav.statusCode).toBe(401);
    expect(dav.body).toContain('<d:error');
    const spaces = await t.app.inject({ method: 'PROPFIND' as 'GET', url: '/dav/spaces/bob', headers: { ...h, depth: '0' } });
    expect(spaces.statusCode).toBe(401);
    const o = await ocs(t.app, 'GET', '/cloud/user', { as: null, headers: h });
    expect(o.statusCode).toBe(401);
    expect(o.ocs.meta.statuscode).toBe(997);
    const info = await t.app.inject({ url: '/oidc/userinfo', headers: h });
    expect(info.statusCode).toBe(401);
    expect(info.json().error).toBe('invalid_token');
  };

  const realKey = async (): Promise<{ key: CryptoKey | Uint8Array; kid: string }> => {
    const row = await t.db.selectFrom('oidc_signing_keys' as never).selectAll().executeTakeFirstOrThrow() as { private_jwk: string };
    const jwk = JSON.parse(row.private_jwk) as JWK;
    return { key: (await importJWK(jwk, 'RS256')) as CryptoKey, kid: jwk.kid! };
  };
  const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

  it('accepts the token on every WebDAV entry point and Graph, as the user', async () => {
    const { access_token } = await tokensOf(bob);
    const h = { authorization: `Bearer ${access_token}` };
    expect((await t.app.inject({ url: '/graph/v1.0/me', headers: h })).json().id).toBe('bob');
    for (const url of ['/remote.php/dav/files/bob/', '/remote.php/webdav/', '/dav/spaces/bob', '/remote.php/dav/spaces/bob']) {
      expect((await t.app.inject({ method: 'PROPFIND' as 'GET', url, headers: { ...h, depth: '0' } })).statusCode, url).toBe(207);
    }
    expect(claimsOf(access_token)).toMatchObject({ iss: ISSUER, aud: ISSUER, sub: 'bob', client_id: DESKTOP.id });
  });

  it('refuses tampered, alg none, other-key, other-audience, other-issuer and expired tokens with 401 in each family', async () => {
    const { access_token } = await tokensOf(bob);
    const [head, body, sig] = access_token.split('.');
    const claims = claimsOf(access_token);
    // Tampered: another subject under the same signature.
    await expectRefusedEverywhere(`${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${sig}`);
    // alg: none.
    await expectRefusedEverywhere(`${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${body}.`);
    // Another key, even under the real kid.
    const { kid, key } = await realKey();
    const other = (await generateKeyPair('RS256')).privateKey;
    await expectRefusedEverywhere(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(other));
    // The real key, but for another audience, another issuer, or expired.
    const sign = (c: Record<string, unknown>) => new SignJWT(c).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key);
    await expectRefusedEverywhere(await sign({ ...claims, aud: 'https://elsewhere.example' }));
    await expectRefusedEverywhere(await sign({ ...claims, iss: 'https://elsewhere.example' }));
    const now = Math.floor(Date.now() / 1000);
    await expectRefusedEverywhere(await sign({ ...claims, iat: now - 900, exp: now - 600 }));
    // The real key and claims, but an ID token is no access token.
    await expectRefusedEverywhere(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key));
    // A grant that does not exist.
    await expectRefusedEverywhere(await sign({ ...claims, gid: 'no-such-grant' }));
    // And the real token still works: the refusals were about the tokens.
    expect((await t.app.inject({ url: '/graph/v1.0/me', headers: { authorization: `Bearer ${access_token}` } })).statusCode).toBe(200);
  });

  it('revocation of the refresh token ends the refresh and, at the next request, the access token', async () => {
    const { access_token, refresh_token } = await tokensOf(bob);
    const intro = async (tok: string) =>
      (await t.app.inject({ method: 'POST', url: '/oidc/token/introspection', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(DESKTOP.id, DESKTOP.secret) }, payload: `token=${tok}` })).json();
    expect(await intro(refresh_token)).toMatchObject({ active: true, sub: 'bob', client_id: DESKTOP.id });
    const revoked = await t.app.inject({ method: 'POST', url: '/oidc/token/revocation', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: clientBasic(DESKTOP.id, DESKTOP.secret) }, payload: `token=${refresh_token}&token_type_hint=refresh_token` });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await intro(refresh_token)).toEqual({ active: false });
    const again = await token(t.app, { grant_type: 'refresh_token', refresh_token });
    expect(again.json().error).toBe('invalid_grant');
    await expectRefusedEverywhere(access_token);
  });

  it('a password change, a disabled user and signing out everywhere end refresh and access tokens, also on another process', async () => {
    const peer = await t.peer();
    try {
      const carol = await newUser(t.app, 'carol');
      const first = await tokensOf(carol);
      const onPeer = (jwt: string) => peer.app.inject({ url: '/graph/v1.0/me', headers: { authorization: `Bearer ${jwt}` } });
      expect((await onPeer(first.access_token)).statusCode).toBe(200);
      const changed = await ocs(t.app, 'PUT', '/cloud/users/carol', { as: ADMIN, body: { key: 'password', value: 'Another-Secret-2026' } });
      expect(changed.statusCode).toBe(200);
      expect((await onPeer(first.access_token)).statusCode).toBe(401);
      await expectRefusedEverywhere(first.access_token);
      expect((await token(peer.app, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).json().error).toBe('invalid_grant');

      carol.password = 'Another-Secret-2026';
      const second = await tokensOf(carol);
      expect((await onPeer(second.access_token)).statusCode).toBe(200);
      expect((await ocs(t.app, 'PUT', '/cloud/users/carol/disable', { as: ADMIN })).statusCode).toBe(200);
      expect((await onPeer(second.access_token)).statusCode).toBe(401);
      expect((await token(t.app, { grant_type: 'refresh_token', refresh_token: second.refresh_token })).json().error).toBe('invalid_grant');
      expect((await ocs(t.app, 'PUT', '/cloud/users/carol/enable', { as: ADMIN })).statusCode).toBe(200);

      const third = await tokensOf(carol);
      expect((await onPeer(third.access_token)).statusCode).toBe(200);
      const { services } = t.app;
      await services.sessions.revokeAllOf(ADMIN.user, 'carol');
      expect((await onPeer(third.access_token)).statusCode).toBe(401);
      expect((await token(peer.app, { grant_type: 'refresh_token', refresh_token: third.refresh_token })).json().error).toBe('invalid_grant');
    } finally {
      await peer.close();
    }
  });

  it('answers WebFinger for acct: and https: resources with the issuer, and config.json for ownCloud Web', async () => {
    for (const resource of ['acct:bob@nimbus.test', 'https://nimbus.test']) {
      const res = await t.app.inject({ url: `/.well-known/webfinger?resource=${encodeURIComponent(resource)}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('application/jrd+json');
      expect(res.json()).toEqual({
        subject: resource,
        links: [
          { rel: 'http://openid.net/specs/connect/1.0/issuer', href: ISSUER },
          { rel: 'http://webfinger.opencloud/rel/server-instance', href: ISSUER, titles: { en: 'Nimbus' } },
        ],
      });
    }
    for (const bad of ['', '?resource=', '?resource=mailto%3Abob']) {
      const res = await t.app.inject({ url: `/.well-known/webfinger${bad}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    const config = (await t.app.inject({ url: '/config.json' })).json();
    expect(config.server).toBe(`${ISSUER}/`);
    expect(config.openIdConnect).toEqual({ metadata_url: `${ISSUER}/.well-known/openid-configuration`, authority: ISSUER, client_id: 'web', response_type: 'code', scope: 'openid profile email' });
  });
});
