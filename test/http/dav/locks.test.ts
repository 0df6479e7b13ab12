import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES, mkcol, multistatus, put } from './dav-helpers.js';

const LOCKINFO = (scope: 'exclusive' | 'shared' = 'exclusive', owner = 'nimbus tests') =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${owner}</D:owner></D:lockinfo>`;

describeEachDb('WebDAV LOCK and UNLOCK', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(async () => t?.close());

  const lock = async (url: string, o: { scope?: 'exclusive' | 'shared'; depth?: '0' | 'infinity'; headers?: Record<string, string> } = {}) =>
    dav(t.app, 'LOCK', url, { body: LOCKINFO(o.scope), headers: { timeout: 'Second-600', ...(o.depth ? { depth: o.depth } : {}), ...(o.headers ?? {}) } });
  const tokenOf = (res: { headers: Record<string, unknown> }) => String(res.headers['lock-token']).replace(/^<|>$/g, '');

  it('locks a file exclusively and answers with the active lock', async () => {
    await put(t.app, `${FILES}/l.txt`, 'x');
    const res = await lock(`${FILES}/l.txt`, { depth: '0' });
    expect(res.statusCode).toBe(200);
    const token = tokenOf(res);
    expect(token).toMatch(/^opaquelocktoken:[0-9a-f-]{36}$/);
    expect(res.body).toContain('<d:lockscope><d:exclusive/></d:lockscope>');
    expect(res.body).toContain(`<d:locktoken><d:href>${token}</d:href></d:locktoken>`);
    expect(res.body).toContain('<d:owner>nimbus tests</d:owner>');
    expect(res.body).toMatch(/<d:timeout>Second-(600|599)<\/d:timeout>/);
    expect(res.body).toContain(`<d:lockroot><d:href>${FILES}/l.txt</d:href></d:lockroot>`);

    // Discovery and the supported lock kinds through PROPFIND.
    const found = await dav(t.app, 'PROPFIND', `${FILES}/l.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:prop><d:lockdiscovery/><d:supportedlock/></d:prop></d:propfind>' });
    const [item] = multistatus(found);
    expect(JSON.stringify(item!.ok['d:lockdiscovery'])).toContain(token);
    expect(found.body).toContain('<d:lockentry><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>');

    // Without the token: 423 for every change; with it, allowed.
    expectDavError(await put(t.app, `${FILES}/l.txt`, 'y'), 423, 'Sabre\\DAV\\Exception\\Locked');
    const locked = await dav(t.app, 'DELETE', `${FILES}/l.txt`);
    expectDavError(locked, 423);
    expect(locked.body).toContain(`<d:lock-token-submitted><d:href>${FILES}/l.txt</d:href></d:lock-token-submitted>`);
    expectDavError(await dav(t.app, 'MOVE', `${FILES}/l.txt`, { headers: { destination: `${FILES}/l2.txt` } }), 423);
    expectDavError(await dav(t.app, 'PROPPATCH', `${FILES}/l.txt`, { body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x xmlns="urn:x">1</x></d:prop></d:set></d:propertyupdate>' }), 423);
    expectDavError(await lock(`${FILES}/l.txt`), 423);
    await put(t.app, `${FILES}/other.txt`, 'o');
    expectDavError(await dav(t.app, 'COPY', `${FILES}/other.txt`, { headers: { destination: `${FILES}/l.txt` } }), 423);
    expect((await put(t.app, `${FILES}/l.txt`, 'y', { headers: { if: `(<${token}>)` } })).statusCode).toBe(204);
    // Locks do not follow a copy.
    expect((await dav(t.app, 'COPY', `${FILES}/l.txt`, { headers: { destination: `${FILES}/l-copy.txt` } })).statusCode).toBe(201);
    expect((await put(t.app, `${FILES}/l-copy.txt`, 'free')).statusCode).toBe(204);

    // Refresh with the token and no body.
    const refreshed = await dav(t.app, 'LOCK', `${FILES}/l.txt`, { headers: { if: `(<${token}>)`, timeout: 'Second-900' } });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.body).toMatch(/Second-(900|899)/);
    expectDavError(await dav(t.app, 'LOCK', `${FILES}/l.txt`, { headers: { if: '(<opaquelocktoken:nope>)' } }), 412);

    // UNLOCK: a bogus token is 409, the right one 204, then the file is free.
    expectDavError(await dav(t.app, 'UNLOCK', `${FILES}/l.txt`, { headers: { 'lock-token': '<opaquelocktoken:bogus>' } }), 409);
    expectDavError(await dav(t.app, 'UNLOCK', `${FILES}/l.txt`), 400);
    expect((await dav(t.app, 'UNLOCK', `${FILES}/l.txt`, { headers: { 'lock-token': `<${token}>` } })).statusCode).toBe(204);
    expect((await put(t.app, `${FILES}/l.txt`, 'z')).statusCode).toBe(204);
  });

  it('evaluates If header conditions: etags, Not, corrupt tokens (litmus cond_put family)', async () => {
    await put(t.app, `${FILES}/c.txt`, 'x');
    const token = tokenOf(await lock(`${FILES}/c.txt`, { depth: '0' }));
    const etag = (await dav(t.app, 'HEAD', `${FILES}/c.txt`)).headers.etag as string;
    const status = async (ifHeader: string) => (await put(t.app, `${FILES}/c.txt`, 'zero', { headers: { if: ifHeader } })).statusCode;
    expect(await status(`(<${token}> [${etag}])`)).toBe(204);
    const etag2 = (await dav(t.app, 'HEAD', `${FILES}/c.txt`)).headers.etag as string;
    expect(await status(`(<DAV:no-lock> [${etag2}])`)).toBe(412);
    expect(await status(`(<${token}>) (Not <DAV:no-lock>)`)).toBe(204);
    expect(await status(`(<${token}x>) (Not <DAV:no-lock>)`)).toBe(423);
    const etag3 = (await dav(t.app, 'HEAD', `${FILES}/c.txt`)).headers.etag as string;
    expect(await status(`(<${token}> ["bogus"]) (Not <DAV:no-lock> ["bogus"])`)).toBe(412);
    expect(await status(`<${FILES}/c.txt> (<${token}> [${etag3}])`)).toBe(204);
    expect(await status('(<DAV:no-lock')).toBe(400);
    await dav(t.app, 'UNLOCK', `${FILES}/c.txt`, { headers: { 'lock-token': `<${token}>` } });
    expect(await status('(<DAV:no-lock>)')).toBe(412);
  });

  it('shares shared locks, and one exclusive lock excludes the rest', async () => {
    await put(t.app, `${FILES}/s.txt`, 'x');
    const a = await lock(`${FILES}/s.txt`, { scope: 'shared', depth: '0' });
    expect(a.statusCode).toBe(200);
    const b = await lock(`${FILES}/s.txt`, { scope: 'shared', depth: '0' });
    expect(b.statusCode).toBe(200);
    expectDavError(await lock(`${FILES}/s.txt`, { scope: 'exclusive' }), 423);
    expect((await put(t.app, `${FILES}/s.txt`, 'y', { headers: { if: `(<${tokenOf(b)}>)` } })).statusCode).toBe(204);
    expect(multistatus(await dav(t.app, 'PROPFIND', `${FILES}/s.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:prop><d:lockdiscovery/></d:prop></d:propfind>' }))[0]!.propstats[0]!.props['d:lockdiscovery']).toMatchObject({ 'd:activelock': expect.any(Array) });
  });

  it('covers a folder and everything below it with a depth-infinity lock', async () => {
    await mkcol(t.app, `${FILES}/lc`);
    const res = await lock(`${FILES}/lc/`, { depth: 'infinity' });
    const token = tokenOf(res);
    expectDavError(await put(t.app, `${FILES}/lc/new.txt`, 'x'), 423);
    expect((await put(t.app, `${FILES}/lc/new.txt`, 'x', { headers: { if: `(<${token}>)` } })).statusCode).toBe(201);
    expectDavError(await mkcol(t.app, `${FILES}/lc/sub`), 423);
    // An indirect refresh through a member.
    expect((await dav(t.app, 'LOCK', `${FILES}/lc/new.txt`, { headers: { if: `(<${token}>)` } })).statusCode).toBe(200);
    // The member's lock discovery shows the folder's lock, rooted at the folder.
    const disc = await dav(t.app, 'PROPFIND', `${FILES}/lc/new.txt`, { depth: '0', body: '<d:propfind xmlns:d="DAV:"><d:prop><d:lockdiscovery/></d:prop></d:propfind>' });
    expect(disc.body).toContain(`<d:lockroot><d:href>${FILES}/lc</d:href></d:lockroot>`);
    // A folder holding a locked member cannot be deleted or moved without that token.
    expect((await dav(t.app, 'UNLOCK', `${FILES}/lc/new.txt`, { headers: { 'lock-token': `<${token}>` } })).statusCode).toBe(204);
    const inner = tokenOf(await lock(`${FILES}/lc/new.txt`, { depth: '0' }));
    expectDavError(await dav(t.app, 'DELETE', `${FILES}/lc`), 423);
    expect((await dav(t.app, 'DELETE', `${FILES}/lc`, { headers: { if: `<${FILES}/lc/new.txt> (<${inner}>)` } })).statusCode).toBe(204);
    // DELETE drops the locks with the resource.
    expect((await put(t.app, `${FILES}/lc-free.txt`, 'x')).statusCode).toBe(201);
  });

  it('creates an empty file when locking an unmapped URL (201), and refuses a missing parent (409)', async () => {
    const res = await lock(`${FILES}/unmapped.txt`, { depth: '0' });
    expect(res.statusCode).toBe(201);
    expect((await dav(t.app, 'GET', `${FILES}/unmapped.txt`)).headers['content-length']).toBe('0');
    expectDavError(await lock(`${FILES}/no-parent/x.txt`), 409);
    expect((await dav(t.app, 'UNLOCK', `${FILES}/unmapped.txt`, { headers: { 'lock-token': res.headers['lock-token'] as string } })).statusCode).toBe(204);
  });

  it('refuses malformed lock requests', async () => {
    await put(t.app, `${FILES}/bad.txt`, 'x');
    expectDavError(await dav(t.app, 'LOCK', `${FILES}/bad.txt`, { body: '<D:lockinfo xmlns:D="DAV:"><D:locktype><D:write/></D:locktype></D:lockinfo>' }), 400);
    expectDavError(await dav(t.app, 'LOCK', `${FILES}/bad.txt`, { body: LOCKINFO(), headers: { depth: '1' } }), 400);
    expectDavError(await dav(t.app, 'LOCK', `${FILES}/bad.txt`, { body: '<x' }), 400);
    expectDavError(await dav(t.app, 'LOCK', `${FILES}/bad.txt`), 412);
  });
});
