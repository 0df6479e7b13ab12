import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, errors as undiciErrors, request } from 'undici';
import { DomainError, fail } from '../domain/errors.js';
import type { FederationSettings } from '../domain/federation.js';
import type { RemoteAnswer, RemoteRequest } from '../ports/federation.js';
import { hostKey, isNonPublicAddress } from './address-policy.js';

const USER_AGENT = 'Nimbus federation';
const BACKOFF_MS = [200, 800];
const DEFAULT_LIMIT = 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const refused = (message: string): never => fail('forbidden', message, 'remoteRefused');

/**
 * Talking to other servers, always through the admin's outbound rules: only
 * allowed servers, no private addresses unless allowed, time-limited,
 * redirects never followed. Refusals throw DomainError 'forbidden'
 * (reason 'remoteRefused'), unreachable servers 'unavailable'.
 */
export interface FederationTransport {
  /** Throws when the admin's rules forbid contacting this base URL (checked before anything is sent). */
  assertAllowed(url: string): Promise<void>;
  /** One request; retried with backoff only while nothing reached the server. */
  request(url: string, req: RemoteRequest): Promise<RemoteAnswer>;
  /** A small answer read whole, at most `limit` bytes (longer answers are refused), retried with backoff on network errors and 5xx. */
  fetchText(url: string, req: RemoteRequest, limit?: number): Promise<{ status: number; text: string }>;
}

/**
 * Outbound HTTP for federation with the admin's rules enforced where they
 * cannot be dodged: the allow-list before anything is sent, and the address
 * check inside the connection's own DNS lookup, so a name that resolves to
 * a private address at connect time (DNS rebinding) is refused too.
 * Redirects are never followed.
 */
export class HttpFederationTransport implements FederationTransport {
  private readonly agent: Agent;

  constructor(private readonly settings: FederationSettings) {
    this.agent = new Agent({
      connect: { lookup: this.guardedLookup as unknown as LookupFunction, rejectUnauthorized: settings.verifyTls, timeout: settings.timeoutMs },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connections: 16,
    });
  }

  async assertAllowed(raw: string): Promise<void> {
    const url = this.parse(raw);
    if (isIP(url.hostname.replace(/^\[|\]$/g, '')) && isNonPublicAddress(url.hostname.replace(/^\[|\]$/g, '')) && !this.privateAllowedFor(url.hostname)) {
      refused(`${url.host} is not a public address`);
    }
  }

  /**
   * One request. Nothing bounds the whole exchange, since an upload or a
   * download passed on between a client and the owner's server may take as
   * long as it keeps moving: a buffered request must have its answer's
   * headers within the timeout; a streamed one is bounded by undici's
   * connect and headers timeouts (the latter refreshed while the body is
   * written), and every answer body by the idle timeout between chunks.
   */
  request(raw: string, req: RemoteRequest): Promise<RemoteAnswer> {
    return this.send(raw, req);
  }

  /** A small answer read whole; each attempt, body included, within the timeout. */
  async fetchText(raw: string, req: RemoteRequest, limit = DEFAULT_LIMIT): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      const deadline = AbortSignal.timeout(this.settings.timeoutMs);
      const res = await this.send(raw, req, deadline);
      if (res.status >= 500 && attempt < BACKOFF_MS.length && req.method !== 'POST') {
        res.body.resume();
        await sleep(BACKOFF_MS[attempt]!);
        continue;
      }
      try {
        return { status: res.status, text: await readBounded(res.body, limit, raw) };
      } catch (err) {
        if (err instanceof DomainError) throw err;
        throw unreachable(raw, deadline.aborted ? timedOut() : err);
      }
    }
  }

  private async send(raw: string, req: RemoteRequest, deadline?: AbortSignal): Promise<RemoteAnswer> {
    await this.assertAllowed(raw);
    const replayable = !(req.body instanceof Readable);
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const follow = () => controller.abort(timedOut());
      if (deadline?.aborted) follow();
      deadline?.addEventListener('abort', follow, { once: true });
      const untilHeaders = replayable ? setTimeout(follow, this.settings.timeoutMs) : undefined;
      try {
        const res = await request(raw, {
          method: req.method as 'GET',
          headers: { 'user-agent': USER_AGENT, ...req.headers },
          body: req.body,
          dispatcher: this.agent,
          maxRedirections: 0,
          signal: controller.signal,
        } as Parameters<typeof request>[1]);
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (err) {
        if (err instanceof DomainError) throw err;
        const guard = guardError(err);
        if (guard) throw guard;
        if (controller.signal.aborted) throw unreachable(raw, timedOut());
        if (!replayable || attempt >= BACKOFF_MS.length || !beforeServerSawIt(err)) throw unreachable(raw, err);
        deadline?.removeEventListener('abort', follow);
        await sleep(BACKOFF_MS[attempt]!);
      } finally {
        clearTimeout(untilHeaders);
      }
    }
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refused('Invalid remote server address');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.settings.allowHttp)) refused(`${url.protocol} remotes are not allowed`);
    const { host, hostPort } = hostKey(url);
    const allowed = this.settings.allowedServers;
    if (allowed !== 'public' && !allowed.includes(host) && !allowed.includes(hostPort)) refused(`${url.host} is not an allowed federation server`);
    return url;
  }

  private privateAllowedFor(hostname: string): boolean {
    if (this.settings.allowPrivateAddresses) return true;
    const allowed = this.settings.allowedServers;
    if (allowed === 'public') return false;
    const host = hostname.toLowerCase();
    return allowed.some((entry) => entry === host || entry.startsWith(`${host}:`));
  }

  /** DNS inside the connection: every address a name resolves to must be public (or explicitly allowed). */
  private readonly guardedLookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      if (!this.privateAllowedFor(hostname) && list.some((a) => isNonPublicAddress(a.address))) {
        const denied = Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'ENONPUBLIC' });
        return callback(denied, '');
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

const timedOut = (): Error => Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });

/** An error the guard raised inside the connection, as the refusal it is. */
function guardError(err: unknown): DomainError | null {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    if ((e as { code?: string }).code === 'ENONPUBLIC') return new DomainError('forbidden', (e as Error).message, 'remoteRefused');
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Connection-level failures: the server never saw the request, so sending it again is safe. */
function beforeServerSawIt(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return err instanceof undiciErrors.ConnectTimeoutError || ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code ?? '');
}

function unreachable(url: string, err: unknown): DomainError {
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const why = (err as { code?: string }).code ?? (err as Error).name ?? 'error';
  return new DomainError('unavailable', `${host} could not be reached (${why})`, 'remoteUnreachable');
}

async function readBounded(body: Readable, limit: number, url: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      return fail('unavailable', `The answer of ${new URL(url).host} is larger than ${limit} bytes`, 'remoteUnreachable');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
