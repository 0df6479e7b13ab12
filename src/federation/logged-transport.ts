import { DomainError } from '../domain/errors.js';
import type { RemoteAnswer, RemoteRequest } from '../ports/federation.js';
import { currentRequestId } from '../request-context.js';
import type { FederationTransport } from './http-transport.js';

/** Where outbound failures are told: the server's logger at warn. */
export type OutboundLog = (fields: Record<string, unknown>, message: string) => void;

const hostOf = (raw: string): string => {
  try {
    return new URL(raw).host;
  } catch {
    return '(invalid address)';
  }
};

/**
 * The transport with every failed outbound call logged (at warn, by the
 * caller): the target host, why (DNS, refused, TLS, timeout, the address
 * policy, or the status of a non-2xx answer) and the id of the request that
 * caused it. Never the URL's path or query, nor any header: they carry tokens.
 */
export class LoggedFederationTransport implements FederationTransport {
  constructor(
    private readonly inner: FederationTransport,
    private readonly log: OutboundLog,
  ) {}

  private failed(raw: string, method: string, err: unknown): never {
    const reason = err instanceof DomainError ? err.message : err instanceof Error ? err.message : String(err);
    this.log({ host: hostOf(raw), method, reason, ...(err instanceof DomainError && err.reason ? { rule: err.reason } : {}), reqId: currentRequestId() }, 'outbound federation call failed');
    throw err;
  }

  private answered(raw: string, method: string, status: number): void {
    if (status < 200 || status > 299) this.log({ host: hostOf(raw), method, status, reason: `answered ${status}`, reqId: currentRequestId() }, 'outbound federation call failed');
  }

  async assertAllowed(raw: string): Promise<void> {
    try {
      await this.inner.assertAllowed(raw);
    } catch (err) {
      this.failed(raw, 'check', err);
    }
  }

  async request(raw: string, req: RemoteRequest): Promise<RemoteAnswer> {
    let answer: RemoteAnswer;
    try {
      answer = await this.inner.request(raw, req);
    } catch (err) {
      return this.failed(raw, req.method, err);
    }
    // A passed-on client request may well be answered 404 or 412: only what says the share itself is broken counts.
    if (answer.status >= 500 || answer.status === 401 || answer.status === 403) this.answered(raw, req.method, answer.status);
    return answer;
  }

  async fetchText(raw: string, req: RemoteRequest, limit?: number): Promise<{ status: number; text: string }> {
    let answer: { status: number; text: string };
    try {
      answer = await this.inner.fetchText(raw, req, limit);
    } catch (err) {
      return this.failed(raw, req.method, err);
    }
    this.answered(raw, req.method, answer.status);
    return answer;
  }
}
