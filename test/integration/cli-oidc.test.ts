import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../helpers/app.js';
import { codeFor, token } from '../http/oidc/oidc-helpers.js';
import { signIn } from '../http/web/signin-helpers.js';

describeEachDb('nimbus oidc:rotate-keys', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t.close());

  const cli = async (args: string[], env: Record<string, string | undefined>) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await runCli(args, { stdout, stderr, stdin: Readable.from([]), env });
    return { code, out };
  };

  it('adds a key that a restarted process signs with, and tokens of the old key stay valid', async () => {
    const alice = await newUser(t.app, 'alice');
    const b = await signIn(t.app, alice.user, alice.password);
    const { code, verifier, redirectUri } = await codeFor(b);
    const before = (await token(t.app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).json();
    const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

    // The CLI runs on the server's configuration: the same database as the test app.
    const env = { ...process.env, DATA_DIR: t.dataDir, PASSWORD_HASH_COST: '1024', PUBLIC_URL: 'http://nimbus.test', ...(kind === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: await schemaOf(t) } : {}) };
    const r = await cli(['oidc:rotate-keys'], env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^added signing key nimbus-[a-z0-9]+-[A-Za-z0-9]{6}\n$/);
    const added = r.out.trim().split(' ').pop()!;

    const peer = await t.peer();
    try {
      const jwks = (await peer.app.inject({ url: '/oidc/jwks' })).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([added, kidOf(before.access_token)]);
      // The old token is still good on the restarted process and the running one.
      expect((await peer.app.inject({ url: '/graph/v1.0/me', headers: { authorization: `Bearer ${before.access_token}` } })).statusCode).toBe(200);
      const refreshed = (await token(peer.app, { grant_type: 'refresh_token', refresh_token: before.refresh_token })).json();
      expect(kidOf(refreshed.access_token)).toBe(added);
      // A token of the new key is taken by the process that started before the rotation (it re-reads the keys, at most once a second).
      await new Promise((r) => setTimeout(r, 1100));
      expect((await t.app.inject({ url: '/graph/v1.0/me', headers: { authorization: `Bearer ${refreshed.access_token}` } })).statusCode).toBe(200);
    } finally {
      await peer.close();
    }
  });
});

async function schemaOf(t: TestApp): Promise<string> {
  const { sql } = await import('kysely');
  const r = await sql<{ s: string }>`select current_schema() as s`.execute(t.db);
  return r.rows[0]!.s;
}
