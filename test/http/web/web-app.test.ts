import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, type TestApp } from '../../helpers/app.js';
import { browser, csrfOf, signIn } from './signin-helpers.js';

const scriptOf = (page: string): string => {
  const m = /<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(page);
  expect(m, 'the page loads its module script').not.toBeNull();
  return m![1]!;
};

describeEachDb('the web app page', (kind) => {
  let t: TestApp;
  let alice: { user: string; password: string };
  beforeAll(async () => {
    t = await buildTestApp(kind, { INSTANCE_NAME: 'Acme Cloud', INSTANCE_COLOR: '#ffcc00' });
    alice = await newUser(t.app, 'alice');
  });
  afterAll(() => t.close());

  it('sends a browser without a session to sign in first, and back to the same place afterwards', async () => {
    const anon = await t.app.inject({ url: '/apps/files/?dir=%2FPhotos' });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/login?redirect_url=%2Fapps%2Ffiles%2F%3Fdir%3D%252FPhotos');
    const b = browser(t.app);
    const login = await b.get(anon.headers.location as string);
    const res = await b.post('/login', { requesttoken: csrfOf(login.body), user: alice.user, password: alice.password, redirect_url: '/apps/files/?dir=%2FPhotos' });
    expect(res.headers.location).toBe('/apps/files/?dir=%2FPhotos');
    expect((await b.get('/apps/files/?dir=%2FPhotos')).statusCode).toBe(200);
  });

  it('is one page with a strict policy: its own hashed script and styles only, nothing inline, never framed', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    for (const url of ['/apps/files/', '/apps/files', '/apps/files/anything/below']) {
      const res = await b.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.body).toContain('<title>Files - Acme Cloud</title>');
      expect(res.body).toMatch(/<link rel="stylesheet" href="\/web\/theme\.css\?v=[0-9a-f]{12}">/);
      expect(res.body.match(/<script/g)?.length).toBe(1);
      expect(res.body).not.toMatch(/<style|style="/);
    }
  });

  it('moves /index.php/apps/files to /apps/files, as one address per page', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    const res = await b.get('/index.php/apps/files/?dir=%2Fa');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/apps/files/?dir=%2Fa');
  });

  it('serves its hashed assets for a year, and nothing else from that folder', async () => {
    const b = await signIn(t.app, ADMIN.user, ADMIN.password);
    const script = scriptOf((await b.get('/apps/files/')).body);
    expect(script).toMatch(/^\/web\/assets\/index-[\w-]+\.js$/);
    const js = await t.app.inject({ url: script });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/web/assets/missing.js', '/web/assets/../index.html', '/web/assets/%2e%2e/index.html', '/web/index.html']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('gives the theming colour and a text colour that reads on it as CSS variables', async () => {
    const res = await t.app.inject({ url: '/web/theme.css?v=x' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.body).toBe(':root{--primary:#ffcc00;--primary-text:#000000}\n');
  });

  it('ends at the sign-in page once the session is gone', async () => {
    const b = await signIn(t.app, alice.user, alice.password);
    expect((await b.post('/logout', { requesttoken: b.csrf })).statusCode).toBe(303);
    const res = await b.get('/apps/files/');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?redirect_url=%2Fapps%2Ffiles%2F');
  });
});

describe('the web app below a path', () => {
  it('names its assets and stylesheet under the public path', async () => {
    const t = await buildTestApp('sqlite', { PUBLIC_URL: 'https://cloud.example.com/nimbus' });
    try {
      const b = await signIn(t.app, ADMIN.user, ADMIN.password);
      const page = await b.get('/apps/files/');
      expect(page.statusCode).toBe(200);
      expect(scriptOf(page.body)).toMatch(/^\/nimbus\/web\/assets\//);
      expect(page.body).toContain('<meta name="nimbus-base" content="/nimbus">');
      expect(page.body).toContain('href="/nimbus/web/theme.css?v=');
    } finally {
      await t.close();
    }
  });
});
