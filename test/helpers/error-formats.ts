import type { LightMyRequestResponse } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';

/**
 * What every refusal of one protocol family looks like, whatever went wrong:
 * no 5xx, the family's own body, and the request id to quote in a report.
 * `label` names the request in failure messages. Graph and WebDAV may answer
 * 501 for what is well-formed but not implemented (valid OData, a method
 * without a handler); `notImplemented` admits that one server status.
 */

const xml = new XMLParser({ parseTagValue: false });

export interface FormatOptions {
  notImplemented?: boolean;
}

function common(res: LightMyRequestResponse, label: string, o: FormatOptions = {}): void {
  const what = `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (!(o.notImplemented && res.statusCode === 501)) expect(res.statusCode, what).toBeLessThan(500);
  expect(res.headers['x-request-id'], `${label}: X-Request-Id`).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
}

/** An OCS answer: the `{ocs:{meta,data}}` envelope in JSON or XML (a bare 405 with Allow, or the CSRF refusal, as Nextcloud sends them). */
export function expectOcsFormat(res: LightMyRequestResponse, label: string): void {
  common(res, label);
  if (res.statusCode === 405) {
    expect(res.headers.allow, `${label}: Allow`).toBeTruthy();
    return;
  }
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode === 412 && type.startsWith('application/json') && res.body === '{"message":"CSRF check failed"}') return;
  if (type.startsWith('application/json')) {
    const meta = JSON.parse(res.body).ocs?.meta;
    expect(meta, `${label}: OCS meta in ${res.body.slice(0, 200)}`).toBeTruthy();
    expect(typeof meta.statuscode, label).toBe('number');
  } else {
    expect(type, `${label}: content type`).toMatch(/^(application|text)\/xml/);
    const meta = xml.parse(res.body).ocs?.meta;
    expect(meta, `${label}: OCS meta in ${res.body.slice(0, 200)}`).toBeTruthy();
    expect(meta.statuscode, label).toMatch(/^\d+$/);
  }
}

/** A LibreGraph failure: the OData error body carrying the same request id. */
export function expectGraphError(res: LightMyRequestResponse, label: string, o: FormatOptions = {}): void {
  common(res, label, o);
  expect(res.statusCode, `${label}: a refusal`).toBeGreaterThanOrEqual(400);
  expect(String(res.headers['content-type']), label).toMatch(/^application\/json/);
  const error = JSON.parse(res.body).error;
  expect(typeof error?.code, `${label}: ${res.body.slice(0, 200)}`).toBe('string');
  expect(typeof error.message, label).toBe('string');
  expect(error.innererror?.['request-id'], label).toBe(res.headers['x-request-id']);
}

/** A WebDAV failure: Sabre's `<d:error>` with exception and message (HEAD answers carry no body). */
export function expectDavError(res: LightMyRequestResponse, label: string, o: FormatOptions & { method?: string } = {}): void {
  common(res, label, o);
  expect(res.statusCode, `${label}: a refusal`).toBeGreaterThanOrEqual(400);
  if (o.method === 'HEAD') return;
  expect(String(res.headers['content-type']), label).toMatch(/^application\/xml/);
  const error = xml.parse(res.body)['d:error'];
  expect(error?.['s:exception'], `${label}: ${res.body.slice(0, 300)}`).toMatch(/^Sabre\\DAV\\Exception\\|^OCA\\/);
  expect(typeof error['s:message'], label).toBe('string');
}

/** A share page answer: an HTML document. */
export function expectHtmlPage(res: LightMyRequestResponse, label: string): void {
  common(res, label);
  expect(String(res.headers['content-type']), label).toMatch(/^text\/html/);
  expect(res.body, label).toMatch(/^<!DOCTYPE html>/);
}
