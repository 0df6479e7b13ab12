import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { basic, type Check, type Credentials, DURATION, load, type Result, type Scenario, type ServerHandle, type Target } from '../lib.js';

const USER = { user: 'jwtuser', password: 'Jwt-Bench-Pass-2026' };
const CLIENT = { id: 'bench-client', secret: 'bench-client-secret-2026' };
const REDIRECT = 'http://127.0.0.1/bench-callback';
const READ = '/graph/v1.0/me/drives';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function createUser(server: ServerHandle, admin: Credentials, who: Credentials): Promise<void> {
  const res = await fetch(`${server.base}/ocs/v2.php/cloud/users?format=json`, {
    method: 'POST',
    headers: { authorization: basic(admin), 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userid: who.user, password: who.password }).toString(),
  });
  if (!res.ok) throw new Error(`creating ${who.user}: ${res.status}`);
}

/** The authorization code flow with PKCE over HTTP, as an app runs it: sign-in form, authorize, redirects, token endpoint. */
async function accessToken(server: ServerHandle, who: Credentials): Promise<string> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookie() } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  const page = await (await go(`${server.base}/login`)).text();
  const csrf = /name="requesttoken" value="([^"]+)"/.exec(page)![1]!;
  await go(`${server.base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ requesttoken: csrf, user: who.user, password: who.password }).toString() });
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  let url = `${server.base}/oidc/auth?${new URLSearchParams({ client_id: CLIENT.id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile email', code_challenge: challenge, code_challenge_method: 'S256', state: 'bench' })}`;
  for (let i = 0; i < 10 && !url.startsWith(REDIRECT); i++) {
    const res = await go(url);
    const location = res.headers.get('location');
    if (!location) throw new Error(`the code flow stopped at ${url}: ${res.status}`);
    url = new URL(location, url).toString();
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`no code in ${url}`);
  const res = await fetch(`${server.base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic({ user: CLIENT.id, password: CLIENT.secret }) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
  });
  if (!res.ok) throw new Error(`token endpoint: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

const ROUNDS = 4;

/**
 * The targets in turns (ROUNDS rounds of a share of the duration each, in
 * rotating order), so a machine whose load changes during the run weighs on
 * all of them alike; req/s is the mean of the rounds, p99 the worst.
 */
async function interleaved(targets: Target[]): Promise<Result[]> {
  const rounds: Result[][] = targets.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + r) % targets.length;
      rounds[i]!.push(await load({ ...targets[i]!, duration: Math.max(1, DURATION / ROUNDS) }));
    }
  }
  return rounds.map((list, i) => ({
    name: targets[i]!.name,
    reqPerSec: list.reduce((sum, x) => sum + x.reqPerSec, 0) / list.length,
    p50: list.map((x) => x.p50).sort((x, y) => x - y)[Math.floor(list.length / 2)]!,
    p99: Math.max(...list.map((x) => x.p99)),
    errors: list.reduce((sum, x) => sum + x.errors, 0),
    non2xx: list.reduce((sum, x) => sum + x.non2xx, 0),
    connections: list[0]!.connections,
  }));
}

async function appPassword(server: ServerHandle, who: Credentials): Promise<string> {
  const res = await fetch(`${server.base}/ocs/v2.php/core/getapppassword?format=json`, { headers: { authorization: basic(who), 'OCS-APIRequest': 'true' } });
  return ((await res.json()) as { ocs: { data: { apppassword: string } } }).ocs.data.apppassword;
}

/**
 * Bearer JWTs against app passwords: the same Graph read (GET /me/drives)
 * on one server in one run, with an app password (Basic, as clients send
 * it), with an access token of Nimbus's own provider, and with an access
 * token of a trusted external provider (a second Nimbus: OIDC_ISSUER).
 *
 * The three are measured in turns (see interleaved).
 *
 * Goal: each JWT read at least 0.9x the app-password read. A JWT is checked
 * with keys in memory; what remains per request is the revocation check
 * the design needs (own tokens: the grant and the user, cached rows;
 * external tokens: the user, a cached row, once the token was seen).
 */
export const jwtScenario: Scenario = {
  name: 'jwt',
  async run({ admin, startNimbus }) {
    const [pa, pb] = await Promise.all([freePort(), freePort()]);
    const clients = JSON.stringify([{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [REDIRECT] }]);
    const provider = await startNimbus({ BENCH_PORT: String(pb), PUBLIC_URL: `http://127.0.0.1:${pb}`, OIDC_CLIENTS: clients });
    const results: Result[] = [];
    try {
      const server = await startNimbus({
        BENCH_PORT: String(pa),
        PUBLIC_URL: `http://127.0.0.1:${pa}`,
        OIDC_CLIENTS: clients,
        OIDC_ISSUER: provider.base,
        OIDC_ISSUER_ALLOW_HTTP: 'true',
        OIDC_CLIENT_ID: CLIENT.id,
        OIDC_CLIENT_SECRET: CLIENT.secret,
        OIDC_AUDIENCE: provider.base,
        OIDC_AUTOPROVISION: 'true',
      });
      try {
        await createUser(server, admin, USER);
        await createUser(provider, admin, { user: 'extuser', password: USER.password });
        const password = await appPassword(server, USER);
        const own = await accessToken(server, USER);
        const external = await accessToken(provider, { user: 'extuser', password: USER.password });
        const auth = {
          'GET /me/drives, app password (Basic)': basic({ user: USER.user, password }),
          'GET /me/drives, Bearer JWT (own provider)': `Bearer ${own}`,
          'GET /me/drives, Bearer JWT (external provider)': `Bearer ${external}`,
        };
        results.push(...(await interleaved(Object.entries(auth).map(([name, authorization]) => ({ name, url: `${server.base}${READ}`, headers: { authorization } })))));
      } finally {
        await server.stop();
      }
    } finally {
      await provider.stop();
    }
    const [app, own, ext] = results as [Result, Result, Result];
    const ratio = (r: Result) => `${(r.reqPerSec / app.reqPerSec).toFixed(2)}x (${r.reqPerSec.toFixed(0)} vs ${app.reqPerSec.toFixed(0)} req/s)`;
    const checks: Check[] = [
      { name: 'Bearer JWT (own provider) Graph read >= 0.9x the same read with an app password', met: own.reqPerSec >= 0.9 * app.reqPerSec, detail: ratio(own) },
      { name: 'Bearer JWT (external provider) Graph read >= 0.9x the same read with an app password', met: ext.reqPerSec >= 0.9 * app.reqPerSec, detail: ratio(ext) },
    ];
    return { results, checks: () => checks };
  },
};
