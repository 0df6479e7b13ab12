import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, describeEachDb, newUser, type TestApp } from '../helpers/app.js';
import { dav, multistatus, propfind, put } from '../http/dav/dav-helpers.js';

type Who = { user: string; password: string };
const home = (u: string, p = '') => `/remote.php/dav/files/${u}/${p}`;
const DAY = 86_400_000;

describeEachDb('Trash bin: retention, size bound, quota and cost', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;

  const trashOf = async (who: Who) =>
    multistatus(await propfind(t.app, `/remote.php/dav/trashbin/${who.user}/trash`, ['nc:trashbin-original-location'], { as: who, depth: '1' }))
      .slice(1)
      .map((r) => r.ok['nc:trashbin-original-location'] as string)
      .sort();
  const used = async (who: Who) => Number(multistatus(await propfind(t.app, home(who.user), ['d:quota-used-bytes'], { as: who }))[0]!.ok['d:quota-used-bytes']);
  const storedFiles = async (spaceId: string) =>
    (await t.db.selectFrom('nodes').select('size').where('space_id', '=', spaceId).where('type', '=', 'file').execute()).reduce((s, r) => s + Number(r.size), 0);

  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob', { quota: '100' });
  });
  afterAll(async () => t?.close());

  it('purges items past the retention time with their blobs, keeps newer ones, and sweeps safely from several processes', async () => {
    for (const n of ['old-1.txt', 'old-2.txt', 'old-3.txt', 'fresh.txt']) {
      await put(t.app, home('alice', n), `bytes of ${n}`, { as: alice });
      await dav(t.app, 'DELETE', home('alice', n), { as: alice });
    }
    const oldBlobs = (await t.db.selectFrom('trash_nodes').select('blob_id').where('name', 'like', 'old-%').execute()).map((r) => r.blob_id!);
    expect(oldBlobs).toHaveLength(3);
    // A second process on the same database: every process sweeps, and each item is purged by exactly one of them.
    const peer = await t.peer();
    try {
      await t.behindTheApp((db) => db.updateTable('trash_items').set({ deleted_at: Date.now() - 31 * DAY }).where('trash_name', 'like', 'old-%').execute());
      const sweeps = [() => t.app.services.trash.purgeExpired(), () => peer.app.services.trash.purgeExpired(), () => t.app.services.trash.purgeExpired()];
      // better-sqlite3 waits for a lock synchronously, so two connections of one Node process cannot overlap there: on SQLite the processes take turns.
      const swept = kind === 'postgres' ? await Promise.all(sweeps.map((s) => s())) : [await sweeps[0]!(), await sweeps[1]!(), await sweeps[2]!()];
      expect(swept.reduce((a, b) => a + b, 0)).toBe(3);
    } finally {
      await peer.close();
    }
    expect(await trashOf(alice)).toEqual(['fresh.txt']);
    const disk = new Set(await t.stored.blobIds());
    for (const b of oldBlobs) expect(disk.has(b)).toBe(false);
    expect(await t.db.selectFrom('blob_journal').selectAll().execute()).toEqual([]);
  });

  it('keeps the trash within half of the free quota, dropping the oldest first (Nextcloud)', async () => {
    await put(t.app, home('bob', 'a.bin'), 'a'.repeat(30), { as: bob });
    await dav(t.app, 'DELETE', home('bob', 'a.bin'), { as: bob });
    expect(await trashOf(bob)).toEqual(['a.bin']);
    await put(t.app, home('bob', 'b.bin'), 'b'.repeat(30), { as: bob });
    await dav(t.app, 'DELETE', home('bob', 'b.bin'), { as: bob });
    // 60 in the trash, 100 free: half of it is 50, so the oldest goes.
    expect(await trashOf(bob)).toEqual(['b.bin']);
    await put(t.app, home('bob', 'keep.bin'), 'k'.repeat(40), { as: bob });
    await put(t.app, home('bob', 'd.bin'), 'd'.repeat(20), { as: bob });
    await dav(t.app, 'DELETE', home('bob', 'd.bin'), { as: bob });
    // 60 free, 30 allowed; b (30) and d (20) make 50: b goes.
    expect(await trashOf(bob)).toEqual(['d.bin']);
    expect(await used(bob)).toBe(40);
    expect(await used(bob)).toBe(await storedFiles('bob'));

    // A restore needs room for the item (Nextcloud's TrashbinPlugin answers 507), and leaves it in the trash otherwise.
    await put(t.app, home('bob', 'fill.bin'), 'f'.repeat(50), { as: bob });
    const [item] = await t.db.selectFrom('trash_items').select('trash_name').where('space_id', '=', 'bob').execute();
    const res = await dav(t.app, 'MOVE', `/remote.php/dav/trashbin/bob/trash/${item!.trash_name}`, { as: bob, headers: { destination: `/remote.php/dav/trashbin/bob/restore/${item!.trash_name}` } });
    expect(res.statusCode, res.body).toBe(507);
    expect(await trashOf(bob)).toEqual(['d.bin']);
    expect(await used(bob)).toBe(90);
    expect(await used(bob)).toBe(await storedFiles('bob'));
  });

  it('deletes and restores a folder of 10,000 entries with as many statements as a folder of 10', async () => {
    const seed = async (name: string, count: number) => {
      const folderId = `seed-${name}`;
      const now = Date.now();
      const base = 10_000_000 + { big: 0, small: 100_000, warm: 200_000 }[name]!;
      const row = (i: number, type: 'file' | 'folder', parent: string, p: string, n: string, size: number) => ({
        id: i === 0 ? folderId : `${folderId}-${i}`, file_id: base + i, space_id: 'alice', parent_id: parent, name: n, path: p, type, size, mtime: now, etag: `e${i}`,
        mime_type: type === 'folder' ? 'httpd/unix-directory' : 'text/plain', checksums: null, blob_id: null, created_at: now,
      });
      const rows = [row(0, 'folder', 'alice', name, name, count)];
      for (let i = 1; i <= count; i++) rows.push(row(i, 'file', folderId, `${name}/f${i}.txt`, `f${i}.txt`, 1));
      await t.behindTheApp(async (db) => {
        for (let i = 0; i < rows.length; i += 500) await db.insertInto('nodes').values(rows.slice(i, i + 500)).execute();
        const space = await db.selectFrom('spaces').select('size').where('id', '=', 'alice').executeTakeFirstOrThrow();
        await db.updateTable('spaces').set({ size: Number(space.size) + count }).where('id', '=', 'alice').execute();
      });
    };
    const measure = async (name: string) => {
      const s0 = t.stats.statements;
      const t0 = performance.now();
      expect((await dav(t.app, 'DELETE', home('alice', name), { as: alice })).statusCode).toBe(204);
      const t1 = performance.now();
      const s1 = t.stats.statements;
      const trashName = (await t.db.selectFrom('trash_items').select('trash_name').where('original_path', '=', name).executeTakeFirstOrThrow()).trash_name;
      const s2 = t.stats.statements;
      const t2 = performance.now();
      const res = await dav(t.app, 'MOVE', `/remote.php/dav/trashbin/alice/trash/${trashName}`, { as: alice, headers: { destination: `/remote.php/dav/trashbin/alice/restore/${trashName}` } });
      expect(res.statusCode, res.body).toBe(201);
      const t3 = performance.now();
      return { deleteMs: t1 - t0, deleteStatements: s1 - s0, restoreMs: t3 - t2, restoreStatements: t.stats.statements - s2 };
    };
    await seed('warm', 1);
    await seed('small', 10);
    await seed('big', 10_000);
    // The first request of a process fills its caches (users, memberships): measured apart.
    await measure('warm');
    const small = await measure('small');
    const big = await measure('big');
    console.log(`[${kind}] trash of a 10-entry folder: delete ${small.deleteMs.toFixed(1)} ms (${small.deleteStatements} statements), restore ${small.restoreMs.toFixed(1)} ms (${small.restoreStatements})`);
    console.log(`[${kind}] trash of a 10,000-entry folder: delete ${big.deleteMs.toFixed(1)} ms (${big.deleteStatements} statements), restore ${big.restoreMs.toFixed(1)} ms (${big.restoreStatements})`);
    expect(big.deleteStatements).toBe(small.deleteStatements);
    expect(big.restoreStatements).toBe(small.restoreStatements);
    expect(await t.db.selectFrom('nodes').select('id').where('path', 'like', 'big/%').execute()).toHaveLength(10_000);
    expect(await t.db.selectFrom('trash_nodes').select('id').where('path', 'like', 'big%').execute()).toEqual([]);
    expect(await used(alice)).toBe(await storedFiles('alice'));
  });
});
