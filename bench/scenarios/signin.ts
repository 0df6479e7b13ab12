import { basic, type Check, load, type Result, type Scenario, type ServerHandle } from '../lib.js';

const USER = { user: 'signinuser', password: 'Sign-In-Pass-2026' };
const ME = '/ocs/v2.php/cloud/user?format=json';

async function createUser(server: ServerHandle, admin: { user: string; password: string }): Promise<void> {
  const res = await fetch(`${server.base}/ocs/v2.php/cloud/users?format=json`, {
    method: 'POST',
    headers: { authorization: basic(admin), 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userid: USER.user, password: USER.password }).toString(),
  });
  if (!res.ok) throw new Error(`creating ${USER.user}: ${res.status}`);
}

/** The sign-in form's CSRF pair: its cookie and the value the form carries (reusable: it is bound to the cookie, not to one post). */
async function loginForm(server: ServerHandle): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${server.base}/login`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="requesttoken" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, csrf };
}

/**
 * Web sign-in's costs. On a server that remembers no Basic login
 * (BASIC_AUTH_CACHE_SECONDS=0, so every check pays the password hash):
 * the sign-in POST against a Basic-authenticated read, both bounded by one
 * scrypt check. Then an authenticated OCS read with a session cookie
 * against the same read with an app password (Basic, as clients send it).
 *
 * Goals: a session's read costs no more than an app password's (at least
 * 0.95x its req/s); the sign-in POST is bounded by the password hash (at
 * least 0.8x the req/s of the hash-paying Basic read).
 */
export const signinScenario: Scenario = {
  name: 'signin',
  async run({ admin, startNimbus }) {
    const results: Result[] = [];
    const server = await startNimbus({ BASIC_AUTH_CACHE_SECONDS: '0', LOGIN_MAX_FAILURES: '1000000' });
    try {
      await createUser(server, admin);
      const form = await loginForm(server);
      const body = new URLSearchParams({ requesttoken: form.csrf, user: USER.user, password: USER.password }).toString();
      // One request at a time: parallel Basic requests with the same credentials share one check.
      const signIn = await load({ name: 'POST /login (sign-in)', url: `${server.base}/login`, method: 'POST', headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, connections: 1, redirects: true });
      const hashed = await load({ name: 'GET cloud/user, Basic, no remembered login', url: `${server.base}${ME}`, headers: { authorization: basic(USER), 'OCS-APIRequest': 'true' }, connections: 1 });
      results.push(signIn, hashed);
    } finally {
      await server.stop();
    }

    const main = await startNimbus();
    try {
      await createUser(main, admin);
      const form = await loginForm(main);
      const signedIn = await fetch(`${main.base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ requesttoken: form.csrf, user: USER.user, password: USER.password }).toString(),
      });
      const session = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      if (!session.startsWith('nimbus_session=')) throw new Error(`signing in failed: ${signedIn.status}`);
      const appPassword = ((await (await fetch(`${main.base}/ocs/v2.php/core/getapppassword?format=json`, { headers: { authorization: basic(USER), 'OCS-APIRequest': 'true' } })).json()) as { ocs: { data: { apppassword: string } } }).ocs.data.apppassword;
      results.push(await load({ name: 'GET cloud/user, app password (Basic)', url: `${main.base}${ME}`, headers: { authorization: basic({ user: USER.user, password: appPassword }), 'OCS-APIRequest': 'true' } }));
      results.push(await load({ name: 'GET cloud/user, session cookie', url: `${main.base}${ME}`, headers: { cookie: session } }));
    } finally {
      await main.stop();
    }

    const [signIn, hashed, app, cookie] = results as [Result, Result, Result, Result];
    const checks: Check[] = [
      { name: 'session-cookie read >= 0.95x the same read with an app password', met: cookie.reqPerSec >= 0.95 * app.reqPerSec, detail: `${(cookie.reqPerSec / app.reqPerSec).toFixed(2)}x (${cookie.reqPerSec.toFixed(0)} vs ${app.reqPerSec.toFixed(0)} req/s)` },
      { name: 'sign-in POST >= 0.8x a Basic read that pays the password hash', met: signIn.reqPerSec >= 0.8 * hashed.reqPerSec, detail: `${(signIn.reqPerSec / hashed.reqPerSec).toFixed(2)}x (${signIn.reqPerSec.toFixed(0)} vs ${hashed.reqPerSec.toFixed(0)} req/s)` },
    ];
    return { results, checks: () => checks };
  },
};
