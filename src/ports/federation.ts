import type { Readable } from 'node:stream';

/** An answer from another server; the body is the caller's to read or drop. */
export interface RemoteAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface RemoteRequest {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

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
