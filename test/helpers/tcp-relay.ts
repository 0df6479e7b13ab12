import net from 'node:net';

/**
 * A TCP relay to a server (the S3 gateway) that a test can cut, restore or
 * stall, and that counts the requests passing through it (the first line of
 * each HTTP/1.1 request the client sends).
 */
export class Relay {
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;
  port = 0;
  /** Request lines seen, such as "HEAD /nimbus-test HTTP/1.1". */
  readonly requests: string[] = [];

  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = 0): Promise<void> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      // Stalled: the connection is taken and nothing is ever answered.
      if (this.stalled) return;
      const upstream = net.connect(this.target);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => undefined);
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)([A-Z]+ \/\S* HTTP\/1\.1)\r\n/g)) this.requests.push(m[1]!);
      });
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Closes every connection and stops listening: the gateway is unreachable. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Closes every connection; new ones are accepted and never answered (a gateway that hangs). */
  stall(on = true): void {
    this.stalled = on;
    if (on) for (const s of this.sockets) s.destroy();
  }
}

/** A relay to the test gateway, opened, and the S3 environment of a test app that reaches the gateway only through it. */
export async function relayedS3Env(env: Record<string, string>): Promise<{ relay: Relay; env: Record<string, string> }> {
  const endpoint = new URL(env.S3_ENDPOINT!);
  const relay = new Relay({ host: endpoint.hostname, port: Number(endpoint.port || 80) });
  await relay.open();
  return { relay, env: { ...env, S3_ENDPOINT: `http://127.0.0.1:${relay.port}` } };
}
