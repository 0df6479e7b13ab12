import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { basic, type DbKind } from '../helpers/app.js';
import { createPgSchema, TEST_PG_URL } from '../helpers/db.js';
import { type RunningServer, startServer } from './server-process.js';

export const ADMIN = { user: 'admin', password: 'Federation-Test-Pass-1' };
export type Who = { user: string; password: string };

/** The answer with its OCS envelope parsed (undefined when the body is not JSON). */
function withOcs(res: Answer): Answer & { ocs: any } {
  try {
    return { ...res, ocs: JSON.parse(res.text).ocs };
  } catch {
    return { ...res, ocs: undefined };
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

import { freePort } from '../helpers/loopback.js';

export { freePort };

/** One Nimbus process on its own port, data directory and database, driven over real HTTP. */
export class Instance {
  private constructor(
    readonly base: string,
    private server: RunningServer,
    private readonly dataDir: string,
    private readonly dropSchema?: () => Promise<void>,
  ) {}

  static async start(entry: string, kind: DbKind, env: Record<string, string> = {}): Promise<Instance> {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-fed-'));
    const schema = kind === 'postgres' ? await createPgSchema() : undefined;
    try {
      const server = await startServer(entry, {
        PORT: String(port),
        PUBLIC_URL: base,
        DATA_DIR: dataDir,
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        FEDERATION_ALLOW_HTTP: 'true',
        FEDERATION_ALLOWED_SERVERS: '127.0.0.1',
        FEDERATION_TIMEOUT_SECONDS: '2',
        ...(schema ? { DATABASE_URL: TEST_PG_URL, DATABASE_SCHEMA: schema.schema } : {}),
        ...env,
      });
      return new Instance(base, server, dataDir, schema?.drop);
    } catch (err) {
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  output(): string {
    return this.server.output();
  }

  /** Stops the process (graceful), keeping its data for close(). */
  stop(): Promise<void> {
    return this.server.stop();
  }

  async close(): Promise<void> {
    await this.server.stop();
    await this.dropSchema?.();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async http(method: string, url: string, o: { as?: Who | null; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.as) headers.authorization = basic(o.as.user, o.as.password);
    const res = await request(`${this.base}${url}`, { method: method as 'GET', headers, body: o.body });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  /** An OCS v2 call in JSON, form-encoded as clients send it; as the admin unless told otherwise. */
  async ocs(method: string, route: string, o: { as?: Who | null; body?: Record<string, string | number> } = {}): Promise<Answer & { ocs: any }> {
    const sep = route.includes('?') ? '&' : '?';
    const body = o.body ? new URLSearchParams(Object.entries(o.body).map(([k, v]) => [k, String(v)])).toString() : undefined;
    const res = await this.http(method, `/ocs/v2.php${route}${sep}format=json`, {
      as: o.as === undefined ? ADMIN : o.as,
      headers: { 'ocs-apirequest': 'true', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    return withOcs(res);
  }

  /** A server-to-server call: public, no OCS-APIRequest header, form-encoded (what a remote Nextcloud sends). */
  async s2s(route: string, params: Record<string, string>): Promise<Answer & { ocs: any }> {
    const res = await this.http('POST', `/ocs/v2.php${route}?format=json`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return withOcs(res);
  }

  dav(who: Who, method: string, rel: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    return this.http(method, `/remote.php/dav/files/${who.user}/${rel}`, { as: who, headers: o.headers, body: o.body });
  }

  async newUser(userid: string): Promise<Who> {
    const password = `Pw-${userid}-Secret-123`;
    const res = await this.ocs('POST', '/cloud/users', { body: { userid, password } });
    if (res.status !== 200) throw new Error(`creating ${userid}: ${res.status} ${res.text}`);
    return { user: userid, password };
  }
}
