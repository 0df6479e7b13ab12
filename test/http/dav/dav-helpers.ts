import type { Readable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';
import { ADMIN, basic } from '../../helpers/app.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface DavCallOptions {
  as?: Credentials | null;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  depth?: '0' | '1' | 'infinity';
}

/** One DAV request over inject, as admin unless told otherwise. */
export async function dav(app: FastifyInstance, method: string, url: string, o: DavCallOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const as = o.as === undefined ? ADMIN : o.as;
  if (as) headers.authorization = basic(as.user, as.password);
  if (o.depth) headers.depth = o.depth;
  return app.inject({ method: method as InjectOptions['method'], url, headers, payload: o.body });
}

export const FILES = '/remote.php/dav/files/admin';

export interface PropStat {
  status: number;
  /** Property values by prefixed name (`d:getetag`), as parsed: strings, '' for empty elements, objects for structure. */
  props: Record<string, unknown>;
}

export interface MsResponse {
  href: string;
  propstats: PropStat[];
  status?: number;
  /** Properties with a 200 status. */
  ok: Record<string, unknown>;
  /** Names of properties in non-200 propstats, by status. */
  failed: Record<number, string[]>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['d:response', 'd:propstat', 'd:activelock', 'd:lockentry'].includes(name),
});

const statusOf = (line: string): number => Number(/HTTP\/1\.1 (\d+)/.exec(line)?.[1]);

/** Parses a 207 answer written with Nimbus's (Nextcloud's) prefixes. */
export function multistatus(res: LightMyRequestResponse): MsResponse[] {
  expect(res.statusCode, res.body).toBe(207);
  expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
  const doc = parser.parse(res.body);
  const ms = doc['d:multistatus'];
  expect(ms, res.body).toBeDefined();
  return (ms['d:response'] ?? []).map((r: any) => {
    const propstats: PropStat[] = (r['d:propstat'] ?? []).map((ps: any) => ({ status: statusOf(ps['d:status']), props: ps['d:prop'] === '' ? {} : ps['d:prop'] }));
    const ok: Record<string, unknown> = {};
    const failed: Record<number, string[]> = {};
    for (const ps of propstats) {
      if (ps.status === 200) Object.assign(ok, ps.props);
      else failed[ps.status] = Object.keys(ps.props).filter((k) => !k.startsWith('@_'));
    }
    return { href: r['d:href'], propstats, status: r['d:status'] ? statusOf(r['d:status']) : undefined, ok, failed };
  });
}

/** Checks a Sabre-style error body (sample 28) and returns its exception and message. */
export function expectDavError(res: LightMyRequestResponse, status: number, exception?: string): { exception: string; message: string } {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
  expect(res.body).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<d:error xmlns:d="DAV:" xmlns:s="http:\/\/sabredav\.org\/ns">\n {2}<s:exception>/);
  const doc = new XMLParser({ parseTagValue: false }).parse(res.body)['d:error'];
  if (exception) expect(doc['s:exception']).toBe(exception);
  return { exception: doc['s:exception'], message: doc['s:message'] };
}

export const PROPFIND_BODY = (props: string[], ns = ''): string =>
  `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"${ns}><d:prop>${props.map((p) => `<${p}/>`).join('')}</d:prop></d:propfind>`;

export async function put(app: FastifyInstance, url: string, body: string | Buffer, o: DavCallOptions = {}): Promise<LightMyRequestResponse> {
  return dav(app, 'PUT', url, { ...o, body });
}

export async function mkcol(app: FastifyInstance, url: string, o: DavCallOptions = {}): Promise<LightMyRequestResponse> {
  return dav(app, 'MKCOL', url, o);
}

export async function propfind(app: FastifyInstance, url: string, props: string[] | null, o: DavCallOptions = {}): Promise<LightMyRequestResponse> {
  return dav(app, 'PROPFIND', url, { depth: '0', ...o, body: props ? PROPFIND_BODY(props) : o.body });
}
