import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { processHost } from '../../src/storage/process-host.js';

/** A pid that has certainly exited here. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

describe('the place a pid belongs to', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-process-host-'));
  const store = new FsBlobStore(dir, { fsync: false });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the host, and on Linux also its boot and pid namespace', () => {
    expect(processHost.startsWith(encodeURIComponent(os.hostname()))).toBe(true);
    if (existsSync('/proc/self/ns/pid')) expect(processHost).toMatch(/@[0-9a-f]{12}$/);
    expect(store.owner.startsWith(`${processHost}~${process.pid}~`)).toBe(true);
  });

  it('settles a dead pid written under this place at once', () => {
    expect(store.ownerGone(`${processHost}~${deadPid()}~0123456789ab`, Date.now())).toBe(true);
  });

  // A sibling container with the same host name numbers its pids on its own: its pid says nothing here.
  it('does not ask this system about a pid from another pid namespace with the same host name', () => {
    if (!existsSync('/proc/self/ns/pid')) return;
    const sibling = `${encodeURIComponent(os.hostname())}@ffffffffffff~${deadPid()}~0123456789ab`;
    expect(store.ownerGone(sibling, Date.now())).toBe(false);
    expect(store.ownerGone(sibling, Date.now() - 2 * 24 * 3600 * 1000)).toBe(true);
  });
});
