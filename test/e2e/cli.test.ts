import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from '../helpers/db.js';
import { type CliResult, cliEntry, runNimbus } from './cli-process.js';
import { compiledServerForFile } from './server-process.js';
import { ADMIN, ProcessGroup } from './shared-database.js';
import { processHost } from '../../src/storage/process-host.js';

/**
 * `nimbus` as an operator runs it: a child process on the configuration of a
 * running server, whose effects that server sees on its next request.
 */

const PG_UP = await postgresReachable();
const build = compiledServerForFile();
let entry: string;
beforeAll(() => {
  entry = cliEntry(build.entry);
});


function ok(r: CliResult): CliResult {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

describe('nimbus: usage', () => {
  it('has help for every command, exits 2 on usage errors and names them on stderr', async () => {
    const env = { DATA_DIR: '/nonexistent-nimbus-dir' };
    const [top, sub, none, unknown, badOpt, badChoice] = await Promise.all([
      runNimbus(entry, ['--help'], env),
      runNimbus(entry, ['user:add', '--help'], env),
      runNimbus(entry, [], env),
      runNimbus(entry, ['user:frobnicate'], env),
      runNimbus(entry, ['user:list', '--colour'], env),
      runNimbus(entry, ['user:list', '--output=xml'], env),
    ]);
    expect(top.code).toBe(0);
    for (const c of ['user:add', 'user:list', 'user:info', 'user:reset-password', 'user:disable', 'user:enable', 'user:delete', 'user:sessions:revoke', 'user:quota', 'group:add', 'group:list', 'group:adduser', 'group:removeuser', 'space:list', 'space:quota', 'migrate', 'config:check']) {
      expect(top.stdout).toContain(c);
    }
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--generate-password');
    expect(sub.stdout).toContain('--password-from-env');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: nimbus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'user:frobnicate'");
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toContain("unknown option '--colour'");
    expect(badChoice.code).toBe(2);
    expect(badChoice.stderr).toContain('Allowed choices are table, json');
  });

  it('user:add -g admin makes the first admin on a database no server has started yet', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-cli-fresh-'));
    try {
      const env = { DATA_DIR: dataDir };
      const added = ok(await runNimbus(entry, ['user:add', 'ops', '-g', 'admin', '--generate-password'], env));
      expect(added.stdout).toContain('created group admin');
      expect(added.stdout).toContain('added ops to admin');
      const info = JSON.parse(ok(await runNimbus(entry, ['user:info', 'ops', '--output=json'], env)).stdout) as { groups: string[] };
      expect(info.groups).toEqual(['admin']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000); // migrations and three CLI processes on a fresh database

  it('config:check rejects an invalid environment with exit 1 and masks secrets of a valid one', async () => {
    const bad = await runNimbus(entry, ['config:check'], { PORT: 'eighty', INSTANCE_COLOR: 'red' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PORT');
    expect(bad.stderr).toContain('INSTANCE_COLOR must be a #rrggbb colour');
    const oidc = await runNimbus(entry, ['config:check'], { OIDC_ISSUER: 'http://id.example.org', OIDC_CLIENT_ID: 'nimbus' });
    expect(oidc.code).toBe(1);
    expect(oidc.stderr).toContain('OIDC_ISSUER must be an https:// URL');
    const mapping = await runNimbus(entry, ['config:check'], { OIDC_ISSUER: 'https://id.example.org', OIDC_CLIENT_ID: 'nimbus', OIDC_ROLE_MAPPING: 'owner=root' });
    expect(mapping.code).toBe(1);
    expect(mapping.stderr).toContain('OIDC_ROLE_MAPPING: "owner=root" is not role=claim-value');
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !PG_UP)(`nimbus on ${kind}, beside a running server`, { timeout: 60_000 }, () => {
    let g: ProcessGroup;
    // Per database: the password test changes it.
    const BOB = { user: 'bob', password: 'Bob-Cli-Pass-1234' };
    const nimbus = (args: string[], input?: string, env: Record<string, string> = {}) => runNimbus(entry, args, { ...g.env, ...env }, input);
    const asUser = (who: { user: string; password: string }) => g.ocs(0, 'GET', '/cloud/user', { as: who });

    beforeAll(async () => {
      g = await ProcessGroup.start(build.entry, kind, 1);
    });
    afterAll(async () => {
      await g?.close();
    });

    it('config:check and migrate', async () => {
      const check = ok(await nimbus(['config:check', '--output=json'], undefined, { METRICS_TOKEN: 'metrics-token-secret-123' }));
      const shown = JSON.parse(check.stdout);
      expect(shown.admin).toEqual({ user: ADMIN.user, password: '********' });
      expect(shown.metrics.token).toBe('********');
      expect(check.stdout).not.toContain(ADMIN.password);
      expect(check.stdout).not.toContain('metrics-token-secret-123');
      expect(shown.database.kind).toBe(kind);
      expect(ok(await nimbus(['migrate'])).stdout).toContain('database is up to date');
    });

    it('user:add reads the password from stdin, the environment or generates it; refuses duplicates and weak passwords; a group named is created when missing, as occ does', async () => {
      const added = ok(await nimbus(['user:add', BOB.user, '--display-name', 'Bob B', '--email', 'bob@example.org'], `${BOB.password}\n`));
      expect(added.stdout).toContain('created user bob');
      expect(added.stdout).not.toContain(BOB.password);
      expect((await asUser(BOB)).status).toBe(200);

      // Refusals change nothing, so they run side by side.
      const [dup, weak, badGroup, noPassword, noEnv] = await Promise.all([
        nimbus(['user:add', BOB.user], `${BOB.password}\n`),
        nimbus(['user:add', 'weak', '-g', 'never-made'], 'short\n'),
        nimbus(['user:add', 'lonely', '-g', 'g'.repeat(300)], 'Lonely-Pass-12345\n'),
        nimbus(['user:add', 'silent']),
        nimbus(['user:add', 'silent', '--password-from-env']),
      ]);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toContain('User already exists');
      expect(weak.code).toBe(1);
      expect(weak.stderr).toContain('at least 10 characters');
      expect(badGroup.code).toBe(1);
      expect(badGroup.stderr).toContain('Group name is too long');
      expect((await g.rows<{ id: string }>("select id from groups where id = 'never-made'")).length).toBe(0);
      expect(noPassword.code).toBe(1);
      expect(noPassword.stderr).toContain('no password on stdin');
      expect(noEnv.code).toBe(1);
      expect(noEnv.stderr).toContain('NIMBUS_PASSWORD is not set');

      const generated = ok(await nimbus(['user:add', 'carol', '--generate-password', '-g', 'admin', '--quota', '1 GB']));
      const password = /password: (\S+)/.exec(generated.stdout)?.[1];
      expect(password).toBeTruthy();
      expect((await asUser({ user: 'carol', password: password! })).status).toBe(200);
      const dave = ok(await nimbus(['user:add', 'dave', '--password-from-env', '-g', 'editors', '-g', 'admin'], undefined, { NIMBUS_PASSWORD: 'Dave-Env-Pass-1234' }));
      expect(dave.stdout).toContain('created group editors');
      expect(dave.stdout).toContain('added dave to editors');
      expect(dave.stdout).not.toContain('created group admin');
      expect((await asUser({ user: 'dave', password: 'Dave-Env-Pass-1234' })).status).toBe(200);
      expect((await g.rows<{ c: number }>('select count(*) as c from users'))[0]!.c).toBe(4);
      expect((await g.rows<{ group_id: string }>("select group_id from group_members where user_id = 'dave' order by group_id")).map((r) => r.group_id)).toEqual(['admin', 'editors']);
    });

    it('user:list and user:info as a table and as JSON; an unknown user fails', async () => {
      const table = ok(await nimbus(['user:list']));
      expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+DISPLAY NAME\s+EMAIL\s+ENABLED\s+GROUPS\s+USED\s+QUOTA$/);
      expect(table.stdout).toMatch(/\nbob\s+Bob B\s+bob@example\.org\s+yes/);
      const list = JSON.parse(ok(await nimbus(['user:list', '-o', 'json'])).stdout) as Array<{ id: string; groups: string[]; limit: number | null }>;
      expect(list.map((u) => u.id).sort()).toEqual(['admin', 'bob', 'carol', 'dave']);
      expect(list.find((u) => u.id === 'carol')).toMatchObject({ groups: ['admin'], limit: 1024 ** 3 });
      const info = JSON.parse(ok(await nimbus(['user:info', 'bob', '--output=json'])).stdout);
      expect(info).toMatchObject({ id: 'bob', displayName: 'Bob B', email: 'bob@example.org', enabled: true, groups: [], sessions: 0, appPasswords: 0 });
      const missing = await nimbus(['user:info', 'nobody']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('User does not exist');
    });

    it('user:reset-password takes effect on the running server at once (no cached old password)', async () => {
      expect((await asUser(BOB)).status).toBe(200); // the server now remembers this Basic login
      const weak = await nimbus(['user:reset-password', 'bob'], 'short\n');
      expect(weak.code).toBe(1);
      ok(await nimbus(['user:reset-password', 'bob'], 'Bob-New-Pass-98765\n'));
      const old = await asUser(BOB);
      expect(old.status, old.text).toBe(401);
      BOB.password = 'Bob-New-Pass-98765';
      expect((await asUser(BOB)).status).toBe(200);
      expect((await nimbus(['user:reset-password', 'nobody'], 'Whatever-Pass-123\n')).code).toBe(1);
    });

    it('user:disable and user:enable', async () => {
      ok(await nimbus(['user:disable', 'bob']));
      expect((await asUser(BOB)).status).toBe(401);
      expect(JSON.parse(ok(await nimbus(['user:info', 'bob', '-o', 'json'])).stdout).enabled).toBe(false);
      ok(await nimbus(['user:enable', 'bob']));
      expect((await asUser(BOB)).status).toBe(200);
      expect((await nimbus(['user:disable', 'nobody'])).code).toBe(1);
    });

    it('user:sessions:revoke ends the app passwords the server accepted', async () => {
      const minted = await g.ocs(0, 'GET', '/core/getapppassword', { as: BOB });
      expect(minted.status, minted.text).toBe(200);
      const token = JSON.parse(minted.text).ocs.data.apppassword as string;
      const withToken = { user: 'bob', password: token };
      expect((await asUser(withToken)).status).toBe(200);
      expect(JSON.parse(ok(await nimbus(['user:info', 'bob', '-o', 'json'])).stdout).appPasswords).toBe(1);
      expect(ok(await nimbus(['user:sessions:revoke', 'bob'])).stdout).toContain('revoked 0 session(s) and 1 app password(s) of bob');
      expect((await asUser(withToken)).status).toBe(401);
      expect((await asUser(BOB)).status).toBe(200);
      expect((await nimbus(['user:sessions:revoke', 'nobody'])).code).toBe(1);
    });

    it('user:quota shows and sets; the server reports the new quota; a bad size is a usage error', async () => {
      const set = JSON.parse(ok(await nimbus(['user:quota', 'bob', '5 GB', '-o', 'json'])).stdout);
      expect(set).toMatchObject({ id: 'bob', quota: String(5 * 1024 ** 3), limit: 5 * 1024 ** 3, used: 0 });
      const seen = await g.ocs(0, 'GET', '/cloud/users/bob');
      expect(JSON.parse(seen.text).ocs.data.quota.quota).toBe(5 * 1024 ** 3);
      const bad = await nimbus(['user:quota', 'bob', 'lots']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('expected a size');
      expect((await nimbus(['user:quota', 'nobody'])).code).toBe(1);
    });

    it('groups: add, list, adduser, removeuser, with duplicates and unknown names refused', async () => {
      ok(await nimbus(['group:add', 'staff', '--display-name', 'Staff']));
      const dup = await nimbus(['group:add', 'staff']);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toContain('group exists');
      ok(await nimbus(['group:adduser', 'staff', 'bob']));
      ok(await nimbus(['group:adduser', 'staff', 'dave']));
      const unknownUser = await nimbus(['group:adduser', 'staff', 'nobody']);
      expect(unknownUser.code).toBe(1);
      expect(unknownUser.stderr).toContain('User does not exist');
      expect((await nimbus(['group:adduser', 'no-such-group', 'bob'])).code).toBe(1);
      ok(await nimbus(['group:removeuser', 'staff', 'dave']));
      const groups = JSON.parse(ok(await nimbus(['group:list', '-o', 'json'])).stdout);
      expect(groups).toContainEqual({ id: 'staff', displayName: 'Staff', members: ['bob'] });
      expect(ok(await nimbus(['group:list'])).stdout).toMatch(/\nstaff\s+Staff\s+bob/);
      const seen = await g.ocs(0, 'GET', '/cloud/users/bob/groups');
      expect(JSON.parse(seen.text).ocs.data.groups).toEqual(['staff']);
      expect((await nimbus(['group:add'])).code).toBe(2);
    });

    it('space:list and space:quota', async () => {
      const created = await g.http(0, 'POST', '/graph/v1.0/drives', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Projects' }) });
      expect(created.status, created.text).toBe(201);
      // The command line names spaces by their own id, without the storage prefix of Graph ids.
      const projectId = (JSON.parse(created.text).id as string).split('$')[1]!;
      const spaces = JSON.parse(ok(await nimbus(['space:list', '-o', 'json'])).stdout) as Array<{ id: string; type: string; quota: number | null }>;
      expect(spaces.filter((s) => s.type === 'personal').map((s) => s.id).sort()).toEqual(['admin', 'bob', 'carol', 'dave']);
      expect(spaces.find((s) => s.type === 'project')).toMatchObject({ id: projectId, name: 'Projects' });
      const onlyProjects = JSON.parse(ok(await nimbus(['space:list', '--type', 'project', '-o', 'json'])).stdout);
      expect(onlyProjects).toHaveLength(1);
      expect(ok(await nimbus(['space:quota', projectId, '2 GB'])).stdout).toContain('2 GB');
      const drive = await g.http(0, 'GET', `/graph/v1.0/drives/${encodeURIComponent(JSON.parse(created.text).id)}`);
      expect(JSON.parse(drive.text).quota.total).toBe(2 * 1024 ** 3);
      ok(await nimbus(['space:quota', 'bob', '3 GB']));
      expect(JSON.parse(ok(await nimbus(['user:quota', 'bob', '-o', 'json'])).stdout).limit).toBe(3 * 1024 ** 3);
      const missing = await nimbus(['space:quota', 'no-such-space', '1 GB']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('not found');
      expect((await nimbus(['space:quota', projectId, 'huge'])).code).toBe(2);
      expect((await nimbus(['space:list', '--type', 'shared'])).code).toBe(2);
    });

    it('user:delete removes the account and its personal space', async () => {
      ok(await nimbus(['user:delete', 'dave']));
      expect((await asUser({ user: 'dave', password: 'Dave-Env-Pass-1234' })).status).toBe(401);
      expect(await g.rows("select id from spaces where id = 'dave'")).toEqual([]);
      const again = await nimbus(['user:delete', 'dave']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('User does not exist');
    });
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  // Four CLI processes and a server: well past a minute when the machine is loaded.
  describe.skipIf(kind === 'postgres' && !PG_UP)(`nimbus check on ${kind}, beside a running server`, { timeout: 150_000 }, () => {
    let g: ProcessGroup;
    const nimbus = (args: string[]) => runNimbus(entry, args, g.env);
    const put = (p: string, body: string) => g.http(0, 'PUT', `/remote.php/dav/files/${ADMIN.user}/${p}`, { body });
    const sizeOf = async (p: string) => {
      const r = await g.http(0, 'PROPFIND', `/remote.php/dav/files/${ADMIN.user}/${p}`, { headers: { depth: '0' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:size/><d:getetag/></d:prop></d:propfind>' });
      return { size: Number(/<oc:size>(\d+)<\/oc:size>/.exec(r.text)?.[1]), etag: /<d:getetag>([^<]+)<\/d:getetag>/.exec(r.text)?.[1] };
    };

    beforeAll(async () => {
      g = await ProcessGroup.start(build.entry, kind, 1);
    }, 90_000);
    afterAll(async () => {
      await g?.close();
    });

    it('finds every kind of damage, repairs it with --repair, and then finds none', async () => {
      expect((await g.http(0, 'MKCOL', `/remote.php/dav/files/${ADMIN.user}/docs`)).status).toBe(201);
      expect((await put('docs/a.txt', 'a'.repeat(100))).status).toBe(201);
      expect((await put('docs/b.txt', 'b'.repeat(50))).status).toBe(201);
      expect((await put('lost.txt', 'l'.repeat(30))).status).toBe(201);
      const clean = ok(await nimbus(['check']));
      expect(clean.stdout).toContain('no problems found');

      const dataDir = g.env.DATA_DIR!;
      // A blob no row names, old enough not to be a write in flight.
      const orphan = 'ab'.padEnd(32, '0');
      mkdirSync(path.join(dataDir, 'blobs', 'ab', '00'), { recursive: true });
      const orphanFile = path.join(dataDir, 'blobs', 'ab', '00', orphan);
      writeFileSync(orphanFile, 'nobody owns me');
      const hourAgo = new Date(Date.now() - 3600_000);
      utimesSync(orphanFile, hourAgo, hourAgo);
      // A row whose bytes are gone.
      const [lost] = await g.rows<{ id: string; blob_id: string }>("select id, blob_id from nodes where name = 'lost.txt'");
      rmSync(path.join(dataDir, 'blobs', lost!.blob_id.slice(0, 2), lost!.blob_id.slice(2, 4), lost!.blob_id));
      // Sizes and etags that do not add up.
      await g.rows("update nodes set size = size + 7 where name = 'docs'", { write: true });
      await g.rows("update nodes set etag = '' where name = 'b.txt'", { write: true });
      await g.rows(`update spaces set size = 999999 where id = '${ADMIN.user}'`, { write: true });
      // What a killed process left in staging (this host, a pid that is not running).
      const leftover = path.join(dataDir, 'staging', `${processHost}~999999~deadbeef0000`);
      mkdirSync(leftover, { recursive: true });
      writeFileSync(path.join(leftover, 'f'.repeat(32)), 'half an upload');
      // A chunked upload begun two days ago and never assembled, beside one begun now.
      for (const id of ['web-old-1', 'web-new-1']) {
        expect((await g.http(0, 'MKCOL', `/remote.php/dav/uploads/${ADMIN.user}/${id}`)).status).toBe(201);
        expect((await g.http(0, 'PUT', `/remote.php/dav/uploads/${ADMIN.user}/${id}/00001`, { body: 'chunk' })).status).toBe(201);
      }
      const oldUpload = path.join(dataDir, 'uploads', Buffer.from(ADMIN.user).toString('hex'), 'web-old-1');
      const oldInfo = JSON.parse(readFileSync(path.join(oldUpload, 'upload.json'), 'utf8')) as { createdAt: number };
      writeFileSync(path.join(oldUpload, 'upload.json'), JSON.stringify({ ...oldInfo, createdAt: Date.now() - 2 * 86400_000 }));
      // A TUS upload past its expiry, beside one that can still be resumed.
      const tusIds: string[] = [];
      for (const name of ['tus-old.txt', 'tus-new.txt']) {
        const made = await g.http(0, 'POST', `/remote.php/dav/files/${ADMIN.user}/`, { headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `filename ${Buffer.from(name).toString('base64')}` } });
        expect(made.status).toBe(201);
        tusIds.push(new URL(made.headers!.location!, 'http://x').pathname.split('/').pop()!);
      }
      const oldTus = path.join(dataDir, 'tus', tusIds[0]!);
      const tusRecord = JSON.parse(readFileSync(path.join(oldTus, 'upload.json'), 'utf8')) as { expiresAt: number };
      writeFileSync(path.join(oldTus, 'upload.json'), JSON.stringify({ ...tusRecord, expiresAt: Date.now() - 1000 }));

      const found = await nimbus(['check', '-o', 'json']);
      expect(found.code, found.stderr).toBe(1);
      expect(found.stderr).toContain('run with --repair');
      const report = JSON.parse(found.stdout).found;
      expect(report.orphanBlobs).toEqual([{ blobId: orphan, size: 14 }]);
      expect(report.missingBlobs).toEqual([{ spaceId: ADMIN.user, path: 'lost.txt', nodeId: lost!.id, blobId: lost!.blob_id }]);
      expect(report.folderSizes).toEqual([{ spaceId: ADMIN.user, path: 'docs', stored: 157, actual: 150 }]);
      expect(report.spaceSizes).toEqual([{ spaceId: ADMIN.user, stored: 999999, actual: 180 }]);
      expect(report.emptyEtags).toHaveLength(1);
      expect(report.leftoverStaging).toEqual([{ owner: path.basename(leftover), files: 1 }]);
      expect(report.abandonedUploads).toEqual([{ userId: ADMIN.user, uploadId: 'web-old-1' }]);
      expect(report.expiredTusUploads).toEqual([{ uploadId: tusIds[0] }]);
      const table = await nimbus(['check']);
      expect(table.stdout).toContain(`orphan blob: ${orphan}`);
      expect(table.stdout).toContain('missing blob: admin:/lost.txt');
      expect(table.stdout).toContain('folder size: admin:/docs is stored as 157 bytes, holds 150');
      expect(table.stdout).toContain('abandoned upload: chunked upload web-old-1 of admin');
      expect(table.stdout).toContain(`expired upload: TUS upload ${tusIds[0]}`);
      const etagBefore = (await sizeOf('docs')).etag;

      const repaired = ok(await nimbus(['check', '--repair']));
      expect(repaired.stdout).toContain('repaired 8 problem(s)');
      expect(ok(await nimbus(['check'])).stdout).toContain('no problems found');
      expect(existsSync(orphanFile)).toBe(false);
      expect(existsSync(leftover)).toBe(false);
      expect(existsSync(oldUpload)).toBe(false);
      expect(existsSync(oldTus)).toBe(false);
      expect(existsSync(path.join(dataDir, 'tus', tusIds[1]!))).toBe(true);
      expect((await g.http(0, 'PROPFIND', `/remote.php/dav/uploads/${ADMIN.user}/web-new-1`, { headers: { depth: '1' } })).status).toBe(207);
      // The running server sees the repaired tree at once.
      expect((await g.http(0, 'GET', `/remote.php/dav/files/${ADMIN.user}/lost.txt`)).status).toBe(404);
      const docs = await sizeOf('docs');
      expect(docs.size).toBe(150);
      expect(docs.etag).not.toBe(etagBefore);
      expect((await sizeOf('')).size).toBe(150);
      const quota = await g.ocs(0, 'GET', `/cloud/users/${ADMIN.user}`);
      expect(JSON.parse(quota.text).ocs.data.quota.used).toBe(150);
      expect((await g.http(0, 'GET', `/remote.php/dav/files/${ADMIN.user}/docs/a.txt`)).text).toBe('a'.repeat(100));
    });
  });
}
