import http from 'node:http';
import { benchSchema } from '../pg.js';
import { basic, type Check, type Credentials, type Scenario, type ServerHandle } from '../lib.js';

const USER = { user: 'rtuser', password: 'Round-Trip-Pass-2026' };
const SAMPLES = 50;
const GOAL = 3;

function send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const statements = async (server: ServerHandle): Promise<number> => JSON.parse((await send('GET', `${server.base}/__bench/statements`, {})).text).statements as number;

interface Probe {
  name: string;
  method: string;
  path: string;
  body?: string;
}

/** Statements per request, averaged over requests sent one at a time after a short warm-up. */
async function perRequest(server: ServerHandle, admin: Credentials, probe: Probe): Promise<number> {
  const headers = { authorization: basic(admin), 'OCS-APIRequest': 'true' };
  const once = async () => {
    const r = await send(probe.method, `${server.base}${probe.path}`, headers, probe.body);
    if (r.status >= 300) throw new Error(`${probe.name}: ${r.status} ${r.text.slice(0, 200)}`);
  };
  for (let i = 0; i < 5; i++) await once();
  const before = await statements(server);
  for (let i = 0; i < SAMPLES; i++) await once();
  return ((await statements(server)) - before) / SAMPLES;
}

async function measure(server: ServerHandle, admin: Credentials): Promise<Array<{ name: string; perRequest: number }>> {
  const auth = { authorization: basic(admin), 'OCS-APIRequest': 'true' };
  const made = await send('POST', `${server.base}/ocs/v2.php/cloud/users?format=json`, { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ userid: USER.user, password: USER.password }).toString());
  if (made.status !== 200) throw new Error(`creating ${USER.user}: ${made.status}`);
  const files = `/remote.php/dav/files/${admin.user}`;
  await send('PUT', `${server.base}${files}/rt-small.bin`, auth, 'x'.repeat(1024));
  const probes: Probe[] = [
    { name: 'GET cloud/users/{id}', method: 'GET', path: `/ocs/v2.php/cloud/users/${USER.user}?format=json` },
    { name: 'GET /graph/v1.0/me/drives', method: 'GET', path: '/graph/v1.0/me/drives' },
    { name: 'WebDAV GET 1 KB', method: 'GET', path: `${files}/rt-small.bin` },
    { name: 'WebDAV PUT 1 KB (overwrite)', method: 'PUT', path: `${files}/rt-put.bin`, body: 'y'.repeat(1024) },
  ];
  const out: Array<{ name: string; perRequest: number }> = [];
  for (const p of probes) out.push({ name: p.name, perRequest: await perRequest(server, admin, p) });
  return out;
}

/**
 * SQL round trips per request: every statement the server's connection
 * sends (BEGIN, COMMIT and the cache's change-log check included), counted
 * in its db layer, for four hot requests with Basic auth on each, on SQLite
 * and on PostgreSQL when it answers. Goal: at most 3 each.
 */
export const roundTripsScenario: Scenario = {
  name: 'sql',
  async run({ admin, startNimbus }) {
    const notes: string[] = [];
    const checks: Check[] = [];
    const record = (db: string, rows: Array<{ name: string; perRequest: number }>) => {
      for (const r of rows) {
        notes.push(`sql [${db}] ${r.name}: ${r.perRequest.toFixed(2)} statements per request`);
        checks.push({ name: `${r.name} on ${db}: at most ${GOAL} SQL round trips`, met: r.perRequest <= GOAL, detail: `${r.perRequest.toFixed(2)} per request` });
      }
    };
    const sqlite = await startNimbus();
    try {
      record('sqlite', await measure(sqlite, admin));
    } finally {
      await sqlite.stop();
    }
    const schema = await benchSchema();
    if (!schema) notes.push('sql [postgres]: skipped, PostgreSQL does not answer');
    else {
      const server = await startNimbus(schema.env);
      try {
        record('postgres', await measure(server, admin));
      } finally {
        await server.stop();
        await schema.drop();
      }
    }
    return { results: [], checks: () => checks, notes };
  },
};
