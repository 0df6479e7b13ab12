import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ocs, type TestApp } from '../../helpers/app.js';

const SHARES = '/apps/files_sharing/api/v1/shares';

/** Creates a link share as admin and returns its id and token. */
export async function newLink(t: TestApp, body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const res = await ocs(t.app, 'POST', SHARES, { body: { shareType: 3, ...body } });
  expect(res.statusCode, res.body).toBe(200);
  return { id: String(res.ocs.data.id), token: res.ocs.data.token };
}

export const deleteLink = (t: TestApp, id: string) => ocs(t.app, 'DELETE', `${SHARES}/${id}`);

/** Cookies a browser would keep for one link (all of ours are scoped to /s/{token}). */
export class Jar {
  private readonly values = new Map<string, string>();
  take(res: LightMyRequestResponse): this {
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      // An emptied cookie (Max-Age=0) is one the browser forgets.
      if (value === '') this.values.delete(pair!.slice(0, eq));
      else this.values.set(pair!.slice(0, eq), value);
    }
    return this;
  }
  get(name: string): string | undefined {
    return this.values.get(name);
  }
  header(): Record<string, string> {
    return this.values.size ? { cookie: [...this.values].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
}

export interface WebCall {
  method?: 'GET' | 'HEAD' | 'POST';
  jar?: Jar;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress?: string;
}

export async function web(t: TestApp, url: string, o: WebCall = {}): Promise<LightMyRequestResponse> {
  const res = await t.app.inject({ method: o.method ?? 'GET', url, headers: { ...(o.jar?.header() ?? {}), ...(o.headers ?? {}) }, payload: o.payload, remoteAddress: o.remoteAddress });
  o.jar?.take(res);
  return res;
}

/** The anti-CSRF value a page's form carries. */
export function csrfOf(body: string): string {
  const m = /name="requesttoken" value="([^"]+)"/.exec(body);
  expect(m, 'the page has a form with a request token').not.toBeNull();
  return m![1]!;
}

export const form = (fields: Record<string, string>): WebCall => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

export type Part = { name: string; value: string } | { name: string; filename: string; content: string | Buffer; type?: string };

/** A multipart/form-data body in the order given, as a browser sends a form. */
export function multipart(parts: Part[]): { headers: Record<string, string>; payload: Buffer } {
  const boundary = '----nimbus-test-boundary-7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('filename' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content));
      chunks.push(Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(chunks) };
}

/** Checks an HTML answer with the share page's security headers. */
export function expectPage(res: LightMyRequestResponse, status: number): string {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expectSecurityHeaders(res);
  expect(res.body).toMatch(/^<!DOCTYPE html>/);
  return res.body;
}

export function expectSecurityHeaders(res: LightMyRequestResponse): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("form-action 'self'");
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toContain('script-src');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
}
