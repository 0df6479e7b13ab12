import { createServer } from 'node:net';
import { buildTestApp, type DbKind, type TestApp } from './app.js';

/** A free loopback port, known before a server starts so PUBLIC_URL can name it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export type ListeningApp = TestApp & { base: string };

/** The app listening on loopback, allowing other loopback servers (and only those) as federation peers over plain http. */
export async function listeningFederated(kind: DbKind, extra: Record<string, string> = {}, beforeListen?: (app: TestApp['app']) => void): Promise<ListeningApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await buildTestApp(kind, { PUBLIC_URL: base, FEDERATION_ALLOW_HTTP: 'true', FEDERATION_ALLOWED_SERVERS: '127.0.0.1', FEDERATION_TIMEOUT_SECONDS: '5', ...extra } as never);
  beforeListen?.(t.app);
  await t.app.listen({ port, host: '127.0.0.1' });
  return Object.assign(t, { base });
}
