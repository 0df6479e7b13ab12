import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { escapeText, escapeXml, NS_DAV, NS_NC, NS_OC, NS_SABRE } from './xml.js';

/**
 * A property value as written inside its element: text (escaped here), raw
 * XML the caller built (already well-formed, namespaces declared), or null
 * for an empty element.
 */
export type PropValue = string | { xml: string } | null;

export interface PropResult {
  ns: string;
  name: string;
  status: number;
  value?: PropValue;
}

/** The prefixes of the root element, as Sabre declares them in Nextcloud's answers. */
const PREFIXES: Record<string, string> = { [NS_DAV]: 'd', [NS_SABRE]: 's', [NS_OC]: 'oc', [NS_NC]: 'nc' };

export const MULTISTATUS_OPEN =
  '<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">';
export const MULTISTATUS_CLOSE = '</d:multistatus>\n';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  423: 'Locked',
  424: 'Failed Dependency',
  500: 'Internal Server Error',
  507: 'Insufficient Storage',
};

export const statusLine = (status: number): string => `HTTP/1.1 ${status} ${REASONS[status] ?? ''}`.trimEnd();

const NEEDS_ESCAPE = /[&<>"]/;

/** Text as PHP's XMLWriter writes it: `&`, `<`, `>` and `"` escaped (getetag reads `&quot;…&quot;` in Nextcloud's answers). */
export const escapeValue = (s: string): string => (NEEDS_ESCAPE.test(s) ? escapeText(s).replace(/"/g, '&quot;') : s);

/** The pieces of one property element, worked out once per name for answers with many items (planProps). */
export interface PropTags {
  open: string;
  close: string;
  empty: string;
}

/** Well-known namespaces by prefix, any other declared on the element itself. */
export function propTags(ns: string, name: string): PropTags {
  const prefix = PREFIXES[ns];
  let tag: string;
  let decl = '';
  if (prefix) tag = `${prefix}:${name}`;
  else if (ns === '') {
    tag = name;
    decl = ' xmlns=""';
  } else {
    tag = `x1:${name}`;
    decl = ` xmlns:x1="${escapeXml(ns)}"`;
  }
  return { open: `<${tag}${decl}>`, close: `</${tag}>`, empty: `<${tag}${decl}/>` };
}

/** One property element from its pieces: empty for null, undefined and the empty string. */
export function elementOf(tags: PropTags, value: PropValue | undefined): string {
  if (value === null || value === undefined || value === '') return tags.empty;
  return tags.open + (typeof value === 'string' ? escapeValue(value) : value.xml) + tags.close;
}

/** One property element: well-known namespaces by prefix, any other declared on the element itself. */
export function propElement(ns: string, name: string, value: PropValue | undefined): string {
  return elementOf(propTags(ns, name), value);
}

const escapeHref = (href: string): string => (NEEDS_ESCAPE.test(href) ? escapeText(href) : href);

/** A `<d:response>` whose properties were found (200) or not (404), each group's elements already written. */
export function foundMissingResponse(href: string, found: string, missing: string): string {
  let out = `<d:response><d:href>${escapeHref(href)}</d:href>`;
  if (found) out += `<d:propstat><d:prop>${found}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>`;
  if (missing) out += `<d:propstat><d:prop>${missing}</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>`;
  return `${out}</d:response>`;
}

/** One `<d:response>` with a propstat per status: 200 first, then the others in ascending order. */
export function propResponse(href: string, results: PropResult[]): string {
  // The usual answer has found (200) and missing (404) properties only: built without grouping (10,000 items in a favourites REPORT).
  let found = '';
  let missing = '';
  let plain = true;
  for (const r of results) {
    if (r.status === 200) found += propElement(r.ns, r.name, r.value);
    else if (r.status === 404) missing += propElement(r.ns, r.name, null);
    else {
      plain = false;
      break;
    }
  }
  if (plain) return foundMissingResponse(href, found, missing);
  const byStatus = new Map<number, string[]>();
  for (const r of results) {
    let list = byStatus.get(r.status);
    if (!list) byStatus.set(r.status, (list = []));
    list.push(propElement(r.ns, r.name, r.status === 200 ? r.value : null));
  }
  const statuses = [...byStatus.keys()].sort((a, b) => (a === 200 ? -1 : b === 200 ? 1 : a - b));
  let out = `<d:response><d:href>${escapeText(href)}</d:href>`;
  for (const s of statuses) out += `<d:propstat><d:prop>${byStatus.get(s)!.join('')}</d:prop><d:status>${statusLine(s)}</d:status></d:propstat>`;
  return `${out}</d:response>`;
}

/** A `<d:response>` with a status only (a member that failed during COPY, MOVE or DELETE). */
export function statusResponse(href: string, status: number): string {
  return `<d:response><d:href>${escapeText(href)}</d:href><d:status>${statusLine(status)}</d:status></d:response>`;
}

/** What one chunk of a streamed answer gathers before it is written (fewer, larger writes). */
const CHUNK_CHARS = 64 * 1024;

/**
 * A multistatus written as it is rendered: `responses` is pulled as the
 * socket drains, gathered into chunks, so an answer of 10,000 items
 * (a favourites REPORT) is never one string of several megabytes. Whatever
 * may fail (reads, access checks) must be done before: once the first chunk
 * is out the status cannot change.
 */
export function sendMultistatusStream(reply: FastifyReply, responses: Iterable<string>): FastifyReply {
  function* chunks(): Generator<string> {
    let chunk = MULTISTATUS_OPEN;
    for (const r of responses) {
      chunk += r;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    yield chunk + MULTISTATUS_CLOSE;
  }
  return reply.code(207).type('application/xml; charset=utf-8').send(Readable.from(chunks()));
}

export function sendMultistatus(reply: FastifyReply, responses: string[]): FastifyReply {
  return reply
    .code(207)
    .type('application/xml; charset=utf-8')
    .send(MULTISTATUS_OPEN + responses.join('') + MULTISTATUS_CLOSE);
}
