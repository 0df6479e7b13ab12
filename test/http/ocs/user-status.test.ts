import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, buildTestApp, describeEachDb, newUser, ocs, type TestApp } from '../../helpers/app.js';
import { expectError } from '../../helpers/ocs-assert.js';

type Who = { user: string; password: string };
const API = '/apps/user_status/api/v1';
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

describeEachDb('OCS user status (Nextcloud user_status)', (kind) => {
  let t: TestApp;
  let alice: Who;
  let bob: Who;
  let carol: Who;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    alice = await newUser(t.app, 'alice');
    bob = await newUser(t.app, 'bob');
    carol = await newUser(t.app, 'carol');
  });
  afterAll(async () => t?.close());

  const put = (as: Who, route: string, body: Record<string, unknown>, version: 1 | 2 = 2) => ocs(t.app, 'PUT', `${API}${route}`, { as, body, version });
  const own = (as: Who) => ocs(t.app, 'GET', `${API}/user_status`, { as });

  it('announces the capability to signed-in users only', async () => {
    const caps = (await ocs(t.app, 'GET', '/cloud/capabilities', { as: alice })).ocs.data.capabilities;
    expect(caps.user_status).toEqual({ enabled: true, restore: false, supports_emoji: true, supports_busy: true });
    expect((await ocs(t.app, 'GET', '/cloud/capabilities', { as: null })).ocs.data.capabilities.user_status).toBeUndefined();
  });

  it('has no status before the first one is set (404), for the caller and for others', async () => {
    await expectError(t.app, 'GET', `${API}/user_status`, { as: carol }, 404, 404, 'No status for the current user');
    await expectError(t.app, 'GET', `${API}/statuses/carol`, { as: alice }, 404, 404, 'No status for the requested userId');
    await expectError(t.app, 'GET', `${API}/statuses/nobody-here`, { as: alice }, 404, 404);
  });

  it('sets each status type the user may choose, user-defined, on v1 and v2', async () => {
    for (const statusType of ['online', 'away', 'dnd', 'busy', 'invisible', 'offline']) {
      const res = await put(alice, '/user_status/status', { statusType });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.ocs.data).toEqual({ userId: 'alice', message: null, messageId: null, messageIsPredefined: false, icon: null, clearAt: null, status: statusType, statusIsUserDefined: true });
    }
    const v1 = await put(alice, '/user_status/status', { statusType: 'online' }, 1);
    expect(v1.ocs.meta.statuscode).toBe(100);
    expect((await own(alice)).ocs.data.status).toBe('online');
  });

  it('refuses an unknown status type and a missing one with 400', async () => {
    await expectError(t.app, 'PUT', `${API}/user_status/status`, { as: alice, body: { statusType: 'sleeping' } }, 400, 400, 'Status-type "sleeping" is not supported');
    await expectError(t.app, 'PUT', `${API}/user_status/status`, { as: alice, body: {} }, 400, 400);
    expect((await own(alice)).ocs.data.status).toBe('online');
  });

  it('sets a custom message with an emoji and a clearAt; refuses long messages, bad icons and past times', async () => {
    const clearAt = inSeconds(3600);
    const res = await put(alice, '/user_status/message/custom', { statusIcon: '🎧', message: 'Focus time', clearAt });
    expect(res.ocs.data).toMatchObject({ message: 'Focus time', messageId: null, messageIsPredefined: false, icon: '🎧', clearAt, status: 'online' });
    // 80 characters are fine, counted as characters, not bytes.
    expect((await put(alice, '/user_status/message/custom', { message: 'é'.repeat(80) })).statusCode).toBe(200);
    await expectError(t.app, 'PUT', `${API}/user_status/message/custom`, { as: alice, body: { message: 'x'.repeat(81) } }, 400, 400, 'Message is longer than supported length of 80 characters');
    await expectError(t.app, 'PUT', `${API}/user_status/message/custom`, { as: alice, body: { message: 'late', clearAt: inSeconds(-60) } }, 400, 400, 'ClearAt is in the past');
    await expectError(t.app, 'PUT', `${API}/user_status/message/custom`, { as: alice, body: { message: 'x', statusIcon: 'ab' } }, 400, 400, 'Status-Icon is longer than one character');
    await expectError(t.app, 'PUT', `${API}/user_status/message/custom`, { as: alice, body: { message: 'x', statusIcon: '🎧🎧' } }, 400, 400);
    await expectError(t.app, 'PUT', `${API}/user_status/message/custom`, { as: alice, body: { message: 'x', clearAt: 'tomorrow' } }, 400, 400);
    expect((await own(alice)).ocs.data.message).toBe('é'.repeat(80));
    // A family emoji joined by ZWJ is one emoji.
    expect((await put(alice, '/user_status/message/custom', { statusIcon: '👨‍👩‍👧', message: 'Family' })).ocs.data.icon).toBe('👨‍👩‍👧');
  });

  it('an empty custom message without clearAt clears the message', async () => {
    const res = await put(alice, '/user_status/message/custom', { message: '' });
    expect(res.ocs.data).toMatchObject({ message: null, icon: null, clearAt: null, messageId: null });
  });

  it('lists the predefined messages clients offer, and sets one by id', async () => {
    const list = await ocs(t.app, 'GET', `${API}/predefined_statuses`, { as: alice });
    expect(list.ocs.data.map((p: { id: string }) => p.id)).toEqual(['meeting', 'commuting', 'remote-work', 'sick-leave', 'vacationing']);
    expect(list.ocs.data[0]).toEqual({ id: 'meeting', icon: '📅', message: 'In a meeting', clearAt: { type: 'period', time: 3600 } });
    expect(list.ocs.data[4]).toEqual({ id: 'vacationing', icon: '🌴', message: 'Vacationing', clearAt: null });
    const clearAt = inSeconds(1800);
    const res = await put(alice, '/user_status/message/predefined', { messageId: 'commuting', clearAt });
    expect(res.ocs.data).toMatchObject({ message: 'Commuting', messageId: 'commuting', messageIsPredefined: true, icon: '🚌', clearAt });
    // Hidden ones are still valid ids.
    expect((await put(alice, '/user_status/message/predefined', { messageId: 'out-of-office' })).ocs.data.message).toBe('Out of office');
    await expectError(t.app, 'PUT', `${API}/user_status/message/predefined`, { as: alice, body: { messageId: 'napping' } }, 400, 400, 'Message-Id "napping" is not supported');
    await expectError(t.app, 'PUT', `${API}/user_status/message/predefined`, { as: alice, body: { messageId: 'meeting', clearAt: inSeconds(-5) } }, 400, 400, 'ClearAt is in the past');
    expect((await own(alice)).ocs.data.messageId).toBe('out-of-office');
  });

  it('DELETE user_status/message clears the message and keeps the status', async () => {
    const res = await ocs(t.app, 'DELETE', `${API}/user_status/message`, { as: alice });
    expect(res.statusCode).toBe(200);
    expect(res.ocs.data).toEqual([]);
    expect((await own(alice)).ocs.data).toMatchObject({ message: null, messageId: null, icon: null, status: 'online', statusIsUserDefined: true });
    // Nothing to clear is fine too.
    expect((await ocs(t.app, 'DELETE', `${API}/user_status/message`, { as: carol })).statusCode).toBe(200);
  });

  describe('two users', () => {
    it('bob sees alice invisible as offline, with her message; alice sees her own invisible', async () => {
      await put(alice, '/user_status/status', { statusType: 'invisible' });
      await put(alice, '/user_status/message/custom', { statusIcon: '🌙', message: 'Heads down' });
      const seen = await ocs(t.app, 'GET', `${API}/statuses/alice`, { as: bob });
      expect(seen.ocs.data).toEqual({ userId: 'alice', message: 'Heads down', icon: '🌙', clearAt: null, status: 'offline' });
      expect((await own(alice)).ocs.data.status).toBe('invisible');
      await put(bob, '/user_status/status', { statusType: 'dnd' });
      const all = await ocs(t.app, 'GET', `${API}/statuses`, { as: bob });
      expect(all.ocs.data.map((s: { userId: string; status: string }) => [s.userId, s.status])).toEqual([
        ['alice', 'offline'],
        ['bob', 'dnd'],
      ]);
      expect(Object.keys(all.ocs.data[0])).toEqual(['userId', 'message', 'icon', 'clearAt', 'status']);
      const page = await ocs(t.app, 'GET', `${API}/statuses?limit=1&offset=1`, { as: bob });
      expect(page.ocs.data.map((s: { userId: string }) => s.userId)).toEqual(['bob']);
    });

    it('a user cannot change another user\'s status: every write is the caller\'s own', async () => {
      await put(bob, '/user_status/status', { statusType: 'away', userId: 'alice' });
      expect((await own(alice)).ocs.data.status).toBe('invisible');
      expect((await own(bob)).ocs.data.status).toBe('away');
    });
  });

  describe('heartbeat and the automatic status', () => {
    it('sets the automatic status and keeps one the user chose (204)', async () => {
      const dave = await newUser(t.app, 'dave');
      const first = await put(dave, '/heartbeat', { status: 'away' });
      expect(first.statusCode).toBe(200);
      expect(first.ocs.data).toMatchObject({ userId: 'dave', status: 'away', statusIsUserDefined: false });
      // Online is more pressing than away: it takes over at once.
      expect((await put(dave, '/heartbeat', { status: 'online' })).ocs.data.status).toBe('online');
      // Away does not replace a fresh online.
      expect((await put(dave, '/heartbeat', { status: 'away' })).ocs.data.status).toBe('online');
      await put(dave, '/user_status/status', { statusType: 'dnd' });
      const kept = await put(dave, '/heartbeat', { status: 'online' });
      expect(kept.statusCode).toBe(204);
      expect(kept.body).toBe('');
      expect((await own(dave)).ocs.data).toMatchObject({ status: 'dnd', statusIsUserDefined: true });
    });

    it('refuses heartbeats other than online and away with 400', async () => {
      for (const status of ['dnd', 'invisible', 'asleep']) await expectError(t.app, 'PUT', `${API}/heartbeat`, { as: bob, body: { status } }, 400, 400);
      await expectError(t.app, 'PUT', `${API}/heartbeat`, { as: bob, body: {} }, 400, 400);
    });

    it('goes offline 15 minutes after the last heartbeat; a chosen away stays', async () => {
      const erin = await newUser(t.app, 'erin');
      await put(erin, '/heartbeat', { status: 'online' });
      await put(bob, '/user_status/status', { statusType: 'away' });
      const longAgo = Date.now() - 16 * 60 * 1000;
      await t.behindTheApp((db) => db.updateTable('user_status').set({ status_at: longAgo }).where('user_id', 'in', ['erin', 'bob']).execute());
      expect((await ocs(t.app, 'GET', `${API}/statuses/erin`, { as: alice })).ocs.data.status).toBe('offline');
      expect((await own(erin)).ocs.data).toMatchObject({ status: 'offline', statusIsUserDefined: false });
      expect((await own(bob)).ocs.data.status).toBe('away');
      // A user-chosen online goes stale too.
      await put(erin, '/user_status/status', { statusType: 'online' });
      await t.behindTheApp((db) => db.updateTable('user_status').set({ status_at: longAgo }).where('user_id', '=', 'erin').execute());
      expect((await own(erin)).ocs.data).toMatchObject({ status: 'offline', statusIsUserDefined: false });
      expect((await put(erin, '/heartbeat', { status: 'away' })).ocs.data.status).toBe('away');
    });

    it('a message past its clearAt is gone, with the status set with it', async () => {
      await put(carol, '/user_status/status', { statusType: 'busy' });
      await put(carol, '/user_status/message/predefined', { messageId: 'meeting', clearAt: inSeconds(60) });
      await t.behindTheApp((db) => db.updateTable('user_status').set({ clear_at: Date.now() - 1000 }).where('user_id', '=', 'carol').execute());
      expect((await own(carol)).ocs.data).toMatchObject({ message: null, messageId: null, icon: null, clearAt: null, status: 'offline' });
    });
  });

  describe('authorization', () => {
    it('anonymous callers and wrong passwords are 997/401', async () => {
      for (const [method, route] of [
        ['GET', '/user_status'],
        ['PUT', '/user_status/status'],
        ['PUT', '/heartbeat'],
        ['GET', '/statuses'],
        ['GET', '/statuses/alice'],
        ['GET', '/predefined_statuses'],
        ['DELETE', '/user_status/message'],
      ] as const) {
        const anon = await ocs(t.app, method, `${API}${route}`, { as: null });
        expect(anon.statusCode, route).toBe(401);
        expect(anon.ocs.meta.statuscode).toBe(997);
        expect((await ocs(t.app, method, `${API}${route}`, { as: { user: 'alice', password: 'wrong' } })).statusCode).toBe(401);
      }
    });

    it('the admin has a status of their own like anyone', async () => {
      expect((await put(ADMIN, '/user_status/status', { statusType: 'busy' })).ocs.data.userId).toBe('admin');
      expect((await ocs(t.app, 'GET', `${API}/statuses/admin`, { as: alice })).ocs.data.status).toBe('busy');
    });

    it('is gone with the user', async () => {
      expect((await ocs(t.app, 'DELETE', '/cloud/users/carol')).statusCode).toBe(200);
      await expectError(t.app, 'GET', `${API}/statuses/carol`, { as: alice }, 404, 404);
      expect((await t.db.selectFrom('user_status').select('user_id').where('user_id', '=', 'carol').execute()).length).toBe(0);
    });
  });
});
