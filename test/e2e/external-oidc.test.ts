import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { importJWK, type JWK, SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, type DbKind, describeEachDb } from '../helpers/app.js';
import { createPgSchema, TEST_PG_URL } from '../helpers/db.js';
import { freePort } from '../helpers/loopback.js';
import { pgRows, type Rows, sqliteRows } from './db-rows.js';
import { compiledServerForFile, type RunningServer, startServer } from './server-process.js';

/**
 * Two Nimbus processes: B is the OpenID Connect provider (its own, with a
 * client registered for A), A trusts B (OIDC_ISSUER). Every step over real
 * HTTP: the code flow at B, the tokens used at A, A fetching B's metadata,
 * keys and userinfo across the loopback.
 */

const build = compiledServerForFile();
const ADMIN = { user: 'admin', password: 'External-Oidc-Pass-1' };
const CLIENT = { id: 'nimbus-a', secret: 'e2e-secret-of-nimbus-a-2026' };

interface Proc {
  base: string;
  server: RunningServer;
  rows: Rows;
  close(): Promise<void>;
}

async function start(kind: DbKind, port: number, env: Record<string, string>): Promise<Proc> {
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-oidc-'));
  const schema = kind === 'postgres' ? await createPgSchema() : undefined;
  const server = await startServer(build.entry, {
    PORT: String(port),
    PUBLIC_URL: base,
    DATA_DIR: dataDir,
    ADMIN_USER: ADMIN.user,
    ADMIN_PASSWORD: ADMIN.password,
    ...(schema ? { DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: schema.schema } : {}),
    ...env,
  });
  return {
    base,
    server,
    rows: schema ? pgRows(schema.schema) : sqliteRows(path.join(dataDir, 'nimbus.sqlite')),
    async close() {
      await server.stop();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  location: string;
  text: string;
}

/** A browser over real HTTP: keeps cookies per server, never follows redirects by itself. */
class Browser {
  private readonly cookies = new Map<string, Map<string, string>>();

  async go(url: string, o: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
    const u = new URL(url);
    const jar = this.cookies.get(u.host) ?? new Map<string, string>();
    this.cookies.set(u.host, jar);
    const headers: Record<string, string> = { ...o.headers };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (o.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await request(url, { method: (o.method ?? (o.form ? 'POST' : 'GET')) as 'GET', headers, body: o.form ? new URLSearchParams(o.form).toString() : undefined });
    const set = res.headers['set-cookie'];
    for (const line of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), value);
    }
    const location = res.headers.location ? new URL(String(res.headers.location), url).toString() : '';
    return { status: res.statusCode, location, text: await res.body.text() };
  }

  /** Follows redirects while they stay below `within`; answers the first answer that leaves it (or is no redirect). */
  async follow(url: string, within: string): Promise<Answer> {
    let res = await this.go(url);
    for (let i = 0; i < 10 && [302, 303].includes(res.status) && res.location.startsWith(within); i++) res = await this.go(res.location);
    return res;
  }

  async signIn(base: string, user: string, password: string): Promise<void> {
    const page = await this.go(`${base}/login`);
    const csrf = /name="requesttoken" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await this.go(`${base}/login`, { form: { requesttoken: csrf, user, password } });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
  }
}

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

async function http(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string; json: () => any }> {
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) };
}

describeEachDb('An external provider: one Nimbus trusting another', (kind) => {
  let a: Proc;
  let b: Proc;
  let strict: Proc;
  const alice = { user: 'alice', password: 'Alice-At-B-Pass-2026' };

  beforeAll(async () => {
    const [pa, pb, ps] = await Promise.all([freePort(), freePort(), freePort()]);
    const callbacks = [pa, ps].map((p) => `http://127.0.0.1:${p}/login/oidc/callback`);
    b = await start(kind, pb, { OIDC_CLIENTS: JSON.stringify([{ client_id: CLIENT.id, client_secret: CLIENT.secret, name: 'Nimbus A', redirect_uris: callbacks }]) });
    const trust = { OIDC_ISSUER: b.base, OIDC_ISSUER_ALLOW_HTTP: 'true', OIDC_PROVIDER_NAME: 'Nimbus B', OIDC_CLIENT_ID: CLIENT.id, OIDC_CLIENT_SECRET: CLIENT.secret, OIDC_AUDIENCE: b.base };
    [a, strict] = await Promise.all([start(kind, pa, { ...trust, OIDC_AUTOPROVISION: 'true' }), start(kind, ps, trust)]);
    const ocsB = (route: string, form: Record<string, string>) =>
      http('POST', `${b.base}/ocs/v2.php${route}?format=json`, { authorization: basic(ADMIN.user, ADMIN.password), 'ocs-apirequest': 'true', 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams(form).toString());
    expect((await ocsB('/cloud/groups', { groupid: 'staff' })).status).toBe(200);
    const made = await ocsB('/cloud/users', { userid: alice.user, password: alice.password, displayName: 'Alice at B', email: 'alice@b.example', 'groups[]': 'staff' });
    expect(made.status, made.text).toBe(200);
    const staffAtA = await http('POST', `${a.base}/ocs/v2.php/cloud/groups?format=json`, { authorization: basic(ADMIN.user, ADMIN.password), 'ocs-apirequest': 'true', 'content-type': 'application/x-www-form-urlencoded' }, 'groupid=staff');
    expect(staffAtA.status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), strict?.close()]);
  });

  /** The code flow at B for A's client, over HTTP, then the code redeemed at B's token endpoint. */
  const tokenFromB = async (): Promise<{ access_token: string; id_token: string }> => {
    const br = new Browser();
    await br.signIn(b.base, alice.user, alice.password);
    const { verifier, challenge } = pkce();
    const redirectUri = `${a.base}/login/oidc/callback`;
    const auth = `${b.base}/oidc/auth?${new URLSearchParams({ client_id: CLIENT.id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile email', code_challenge: challenge, code_challenge_method: 'S256', state: 's1' })}`;
    const back = await br.follow(auth, b.base);
    expect(back.location.startsWith(redirectUri), `${back.status} ${back.location} ${back.text.slice(0, 300)}`).toBe(true);
    const code = new URL(back.location).searchParams.get('code')!;
    const res = await http('POST', `${b.base}/oidc/token`, { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(CLIENT.id, CLIENT.secret) }, new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }).toString());
    expect(res.status, res.text).toBe(200);
    return res.json();
  };

  const refusedEverywhere = async (base: string, jwt: string) => {
    const h = { authorization: `Bearer ${jwt}` };
    const graph = await http('GET', `${base}/graph/v1.0/me/drives`, h);
    expect(graph.status).toBe(401);
    expect(graph.json().error.code).toBeTruthy();
    const dav = await http('PROPFIND', `${base}/remote.php/dav/files/alice/`, { ...h, depth: '0' });
    expect(dav.status).toBe(401);
    expect(dav.text).toContain('<d:error');
    const o = await http('GET', `${base}/ocs/v2.php/cloud/user?format=json`, { ...h, 'ocs-apirequest': 'true' });
    expect(o.status).toBe(401);
    expect(o.json().ocs.meta.statuscode).toBe(997);
  };

  it('a token from B works as Bearer on A\'s Graph, WebDAV and OCS; A provisions alice from B\'s claims', async () => {
    const { access_token } = await tokenFromB();
    const h = { authorization: `Bearer ${access_token}` };
    const me = await http('GET', `${a.base}/graph/v1.0/me?$expand=memberOf`, h);
    expect(me.status, me.text).toBe(200);
    expect(me.json()).toMatchObject({ id: 'alice', displayName: 'Alice at B', mail: 'alice@b.example' });
    expect(me.json().memberOf.map((g: { id: string }) => g.id)).toEqual(['staff']);
    expect((await http('GET', `${a.base}/graph/v1.0/me/drives`, h)).status).toBe(200);
    expect((await http('PUT', `${a.base}/remote.php/dav/files/alice/from-b.txt`, h, 'hello from B')).status).toBe(201);
    const got = await http('GET', `${a.base}/remote.php/dav/files/alice/from-b.txt`, h);
    expect(got.text).toBe('hello from B');
    const user = await http('GET', `${a.base}/ocs/v2.php/cloud/user?format=json`, { ...h, 'ocs-apirequest': 'true' });
    expect(user.status).toBe(200);
    expect(user.json().ocs.data).toMatchObject({ id: 'alice', 'display-name': 'Alice at B', email: 'alice@b.example' });
    expect(await a.rows('select issuer, subject, user_id from oidc_identities')).toEqual([{ issuer: b.base, subject: 'alice', user_id: 'alice' }]);
  });

  it('refuses tampered, expired and other-audience tokens, and without autoprovisioning an unknown user, with 401', async () => {
    const { access_token } = await tokenFromB();
    const [head, body, sig] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
    await refusedEverywhere(a.base, `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${sig}`);
    const [row] = await b.rows<{ private_jwk: string }>('select private_jwk from oidc_signing_keys');
    const jwk = JSON.parse(row!.private_jwk) as JWK;
    const key = await importJWK(jwk, 'RS256');
    const sign = (c: Record<string, unknown>) => new SignJWT(c).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid! }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    await refusedEverywhere(a.base, await sign({ ...claims, iat: now - 900, exp: now - 600 }));
    await refusedEverywhere(a.base, await sign({ ...claims, aud: 'https://another-server.example' }));
    // The genuine token still opens A; the process without autoprovisioning knows no alice.
    expect((await http('GET', `${a.base}/graph/v1.0/me`, { authorization: `Bearer ${access_token}` })).status).toBe(200);
    await refusedEverywhere(strict.base, access_token);
    expect(await strict.rows('select id from users where id = ?', ['alice'])).toEqual([]);
  });

  describe('the web sign-in page', () => {
    it('offers "Sign in with Nimbus B" and signs alice in through B\'s code flow', async () => {
      const br = new Browser();
      const page = await br.go(`${a.base}/login`);
      expect(page.text).toContain('Sign in with Nimbus B');
      const csrf = /name="requesttoken" value="([^"]+)"/.exec(page.text.slice(page.text.indexOf('action="/login/oidc"')))![1]!;
      const started = await br.go(`${a.base}/login/oidc`, { form: { requesttoken: csrf } });
      expect(started.status).toBe(303);
      expect(started.location.startsWith(`${b.base}/oidc/auth?`)).toBe(true);
      await br.signIn(b.base, alice.user, alice.password);
      const back = await br.follow(started.location, b.base);
      expect(back.location.startsWith(`${a.base}/login/oidc/callback?`), back.location).toBe(true);
      const done = await br.go(back.location);
      expect(done.status, done.text.slice(0, 500)).toBe(303);
      const account = await br.go(`${a.base}/account`);
      expect(account.status).toBe(200);
      expect(account.text).toContain('Alice at B');
    });
  });
});
