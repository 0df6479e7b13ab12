import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';

/**
 * Building blocks of malformed requests for the per-family property tests:
 * what a fuzzer, a broken client or an attacker sends. Everything stays a
 * request a real HTTP client could put on the wire (header values in
 * Latin-1 without line breaks, request targets in ASCII), so a failure is a
 * server bug and not an artefact of inject.
 */

/** Values that broke parsers before, or that parsers commonly trip over. */
const NASTY = [
  '', ' ', '%', '%ff', '%00', '%2e%2e', '%2F', '..', '.', '/', '//', '\\', "'", '"', '(', ')', '()', 'any(', "eq 'x' and",
  '$', '[]', '{}', '[', '{', '<a>', '&', '=', '#', '?', '\u0000', '\r\n', '\t', 'null', 'true', 'false', '-1', '0', '1e999',
  '99999999999999999999999', 'NaN', 'Infinity', 'infinity', 'x'.repeat(600), '<?xml version="1.0"?>', ']]>', '🙂', '\uFFFF',
  '\uD800', 'admin', '*', ',', ';', 'T', 'F', '<opaquelocktoken:x>', 'Second-999999999999', 'bytes=9-1', 'bytes=-', 'W/"x"',
];

export const junk: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...NASTY), { maxLength: 4 }).map((parts) => parts.join('')) },
);

/** Percent-encodes the UTF-8 bytes of a string (lone surrogates included, which encodeURIComponent refuses). */
export function encode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** inject parses the URL as a browser does, resolving `.` and `..` (also as %2e) before the server sees it; real clients can send them raw. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** One path segment: junk encoded properly, or an escape that does not decode. Dot segments are left to the socket tests. */
export const segment: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: junk.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%ff', '%zz', '%E0%A4%A', 'a%', '%%', '%C0%AF') },
    { weight: 2, arbitrary: fc.constantFrom('admin', 'x', '%2F', '') },
  )
  .filter((s) => !DOT_SEGMENT.test(s));

/** A query string over the given parameter names (and junk ones), values junk, names possibly repeated. */
export function query(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: junk.map(encode) });
  const pair = fc.tuple(name, fc.oneof(junk.map(encode), segment)).map(([k, v]) => `${k}=${v}`);
  return fc.array(fc.oneof({ weight: 8, arbitrary: pair }, { weight: 1, arbitrary: name }), { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : ''));
}

/** A header value a client can send: Latin-1, no line breaks. */
export const headerValue: fc.Arbitrary<string> = junk.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

function deepXml(depth: number, root = 'propfind'): string {
  return `<?xml version="1.0"?><d:${root} xmlns:d="DAV:">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</d:${root}>`;
}

/** A JSON document of any shape: the wrong types where objects, strings or lists are expected. */
export function jsonBody(fields: readonly string[]): fc.Arbitrary<string> {
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), junk, fc.constant(null), fc.integer(), fc.double(), fc.array(junk, { maxLength: 3 }));
  return fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...fields), junk), value, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[1,', '{"a":}', 'nul', '"\\ud800"', '{"__proto__":{"x":1}}', deepJson(5000), '') },
  );
}

/** A form body over the given field names, PHP list syntax and repeats included. */
export function formBody(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...fields), fc.constantFrom(...fields).map((f) => `${f}[]`), junk.map(encode));
  return fc.array(fc.tuple(key, junk.map(encode)).map(([k, v]) => `${k}=${v}`), { maxLength: 6 }).map((pairs) => pairs.join('&'));
}

/** An XML document that is broken, hostile or of the wrong shape. */
export const xmlBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    deepXml(5000),
    deepXml(150, 'propertyupdate'),
    deepXml(150, 'lockinfo'),
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><d:propfind xmlns:d="DAV:">&a;</d:propfind>',
    '<d:propfind xmlns:d="DAV:"><d:prop><x:y/></d:prop></d:propfind>',
    '<d:propfind xmlns:d="DAV:"><d:prop>',
    '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getetag>x</d:getetag></d:prop></d:set></d:propertyupdate>',
    '<d:lockinfo xmlns:d="DAV:"><d:lockscope><d:exclusive/></d:lockscope></d:lockinfo>',
    '<d:lockinfo xmlns:d="DAV:"><d:lockscope/><d:locktype><d:write/></d:locktype><d:owner>' + '<a>'.repeat(99) + '</a>'.repeat(99) + '</d:owner></d:lockinfo>',
    '<a xmlns:p=""><p:b/></a>',
    '<a/><b/>',
    '\uFEFF<?xml version="1.0" encoding="UTF-16"?><a/>',
  ),
  junk,
  fc.tuple(junk, junk).map(([a, b]) => `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><${encode(a) || 'x'}>${b}</${encode(a) || 'x'}></d:prop></d:propfind>`),
);

/** A Content-Type header, right, wrong or broken. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'application/xml', 'text/xml', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=b', 'multipart/form-data', 'application/json; charset=utf-16', ';;;', 'x'),
  headerValue,
);

/** Route patterns the app serves below a prefix, e.g. `/ocs/v2.php/cloud/users/:userId`. */
export function routesUnder(app: FastifyInstance, prefix: string): string[] {
  return [...new Set(app.routeTable.filter((r) => r.url.startsWith(prefix)).map((r) => r.url))].sort();
}

/** A concrete URL for a route pattern: every `:param` and `*` filled with a segment (or several). */
export function fill(pattern: string): fc.Arbitrary<string> {
  const holes = pattern.split('/').filter((p) => p.startsWith(':') || p === '*').length;
  return fc.array(fc.array(segment, { minLength: 1, maxLength: 3 }), { minLength: holes, maxLength: holes }).map((values) => {
    let i = 0;
    return pattern
      .split('/')
      .map((p) => (p.startsWith(':') ? values[i++]![0]! : p === '*' ? values[i++]!.join('/') : p))
      .join('/');
  });
}

export type Method = NonNullable<InjectOptions['method']>;

/** What a failing run prints: enough to replay the request by hand. */
export const describeRequest = (r: { method: string; url: string; headers?: Record<string, string | undefined>; payload?: string }): string =>
  `${r.method} ${r.url} ${JSON.stringify(r.headers ?? {})} ${JSON.stringify((r.payload ?? '').slice(0, 200))}`;

/** Bounded runs: a few seconds per family and database. */
export const RUNS = { numRuns: 400, interruptAfterTimeLimit: 15_000 } as const;
