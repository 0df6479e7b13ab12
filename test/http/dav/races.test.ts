import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, type TestApp } from '../../helpers/app.js';
import { dav, expectDavError, FILES } from './dav-helpers.js';

/**
 * Requests for one name at once, in one process: most pass the method's own
 * check before the first one commits, so they lose inside the files layer.
 * They must get the answer a later request gets (test/e2e/many-processes
 * does the same across processes).
 */

const N = 20;

const tally = (answers: LightMyRequestResponse[]): Record<number, number> => {
  const out: Record<number, number> = {};
  for (const a of answers) out[a.statusCode] = (out[a.statusCode] ?? 0) + 1;
  return out;
};
const all = (n: number, one: (i: number) => Promise<LightMyRequestResponse>) => Promise.all(Array.from({ length: n }, (_, i) => one(i)));
const notes = (answers: LightMyRequestResponse[]) => answers.map((a) => `${a.statusCode} ${a.body}`).join('\n');

describeEachDb('WebDAV: creates racing for one name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    // A login is checked once and then remembered; parallel first logins would each take a slot of the throttle.
    expect((await dav(t.app, 'PROPFIND', `${FILES}/`, { depth: '0' })).statusCode).toBe(207);
  });
  afterAll(async () => t?.close());

  it('MKCOL: one 201, every other one 405 MethodNotAllowed', async () => {
    const answers = await all(N, () => dav(t.app, 'MKCOL', `${FILES}/same`));
    expect(tally(answers), notes(answers)).toEqual({ 201: 1, 405: N - 1 });
    for (const a of answers.filter((x) => x.statusCode === 405)) {
      expect(expectDavError(a, 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed').message).toBe('The resource you tried to create already exists');
      expect(a.headers.allow).toBeDefined();
    }
  });

  it('PUT where a folder is being made: 405 like a PUT on a folder, never 409', async () => {
    const answers = await all(N, (i) => (i === 0 ? dav(t.app, 'MKCOL', `${FILES}/folder-first`) : dav(t.app, 'PUT', `${FILES}/folder-first`, { body: 'x' })));
    const counts = tally(answers);
    expect(counts[201], notes(answers)).toBe(1);
    expect(Object.keys(counts).map(Number).filter((s) => ![201, 204, 405].includes(s)), notes(answers)).toEqual([]);
    if (answers[0]!.statusCode === 201) {
      for (const a of answers.slice(1)) expect(expectDavError(a, 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed').message).toBe('PUT is not allowed on non-files.');
    }
  });

  it('chunk assembly where a folder is made meanwhile: 405 like an assembly onto a folder, never 409', async () => {
    const uploads = '/remote.php/dav/uploads/admin';
    const dest = `http://nimbus.test${FILES}/assembled-or-folder`;
    const U = 8;
    for (let i = 0; i < U; i++) {
      expect((await dav(t.app, 'MKCOL', `${uploads}/race-${i}`, { headers: { destination: dest } })).statusCode).toBe(201);
      expect((await dav(t.app, 'PUT', `${uploads}/race-${i}/1`, { headers: { destination: dest }, body: Buffer.alloc(1 << 20, i) })).statusCode).toBe(201);
    }
    // The assemblies look at the destination first, then stream a megabyte each: the folder lands while they stream.
    const moves = all(U, (i) => dav(t.app, 'MOVE', `${uploads}/race-${i}/.file`, { headers: { destination: dest } }));
    await new Promise((r) => setTimeout(r, 5));
    const folder = await dav(t.app, 'MKCOL', `${FILES}/assembled-or-folder`);
    const answers = [folder, ...(await moves)];
    const counts = tally(answers);
    expect(counts[201], notes(answers)).toBe(1);
    expect(Object.keys(counts).map(Number).filter((s) => ![201, 204, 405].includes(s)), notes(answers)).toEqual([]);
    if (folder.statusCode === 201) {
      for (const a of answers.slice(1)) expect(expectDavError(a, 405, 'Sabre\\DAV\\Exception\\MethodNotAllowed').message).toBe('The destination is a folder');
    }
  });

  it('PUT of one new file: one 201, the others overwrite it (204)', async () => {
    const answers = await all(N, (i) => dav(t.app, 'PUT', `${FILES}/one-file.txt`, { body: `version ${i}` }));
    expect(tally(answers), notes(answers)).toEqual({ 201: 1, 204: N - 1 });
  });

  it('MOVE and COPY onto one free name without Overwrite: one 201, the others 412 as when it was taken before', async () => {
    for (let i = 0; i < N; i++) expect((await dav(t.app, 'PUT', `${FILES}/src-${i}.txt`, { body: `${i}` })).statusCode).toBe(201);
    const answers = await all(N, (i) =>
      dav(t.app, i % 2 ? 'MOVE' : 'COPY', `${FILES}/src-${i}.txt`, { headers: { destination: `${FILES}/landing.txt`, overwrite: 'F' } }),
    );
    expect(tally(answers), notes(answers)).toEqual({ 201: 1, 412: N - 1 });
  });
});
