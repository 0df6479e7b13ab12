import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { DESKTOP } from './oidc-helpers.js';

describeEachDb('OpenID Connect: malformed requests are 4xx, never 500', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  it('answers bad input to every endpoint with a 4xx', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const cases: Array<{ method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }> = [
      { method: 'GET', url: '/oidc/auth' },
      { method: 'GET', url: '/oidc/auth?client_id=unknown&response_type=code&scope=openid' },
      { method: 'POST', url: '/oidc/auth', headers: form, payload: '%%%&&&===' },
      { method: 'GET', url: '/oidc/auth/nonexistent-uid' },
      { method: 'GET', url: '/oidc/interaction/nonexistent-uid' },
      { method: 'POST', url: '/oidc/token', headers: form, payload: 'grant_type=authorization_code&code=x' },
      { method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' },
      { method: 'POST', url: '/oidc/token', headers: form, payload: 'grant_type=password&username=admin&password=x' },
      { method: 'POST', url: '/oidc/token', headers: { ...form, authorization: 'Basic !!!' }, payload: 'grant_type=refresh_token&refresh_token=x' },
      { method: 'POST', url: '/oidc/token/revocation', headers: form, payload: 'token=' },
      { method: 'POST', url: '/oidc/token/introspection', headers: form, payload: 'token=x' },
      { method: 'GET', url: '/oidc/session/end?id_token_hint=not.a.jwt' },
      { method: 'POST', url: '/oidc/session/end/confirm', headers: form, payload: 'xsrf=x' },
      { method: 'GET', url: '/oidc/userinfo', headers: { authorization: 'Bearer a.b.c' } },
      { method: 'GET', url: '/oidc/userinfo', headers: { authorization: `Bearer ${'A'.repeat(5000)}.${'B'.repeat(10)}.c` } },
      { method: 'GET', url: '/graph/v1.0/me', headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } },
      { method: 'GET', url: '/graph/v1.0/me', headers: { authorization: 'Bearer !!!.###.$$$' } },
      { method: 'GET', url: '/.well-known/webfinger?resource=acct%3A' },
    ];
    // A bad request with a registered redirect_uri goes back to the client with the OAuth error, as RFC 6749 4.1.2.1 asks.
    const back = await t.app.inject({ url: `/oidc/auth?client_id=${DESKTOP.id}&response_type=token&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1` });
    expect(back.statusCode).toBe(303);
    expect(String(back.headers.location)).toContain('error=unsupported_response_type');
    for (const c of cases) {
      const res = await t.app.inject(c);
      expect(res.statusCode, `${c.method} ${c.url}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${c.method} ${c.url}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
