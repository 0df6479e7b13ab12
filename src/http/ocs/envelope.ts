export type OcsVersion = 1 | 2;
export type OcsFormat = 'json' | 'xml';

export interface OcsResult {
  /** The raw status as Nextcloud controllers set it: 200 on success, or 101..113, 400..599, 996..999. */
  status: number;
  message?: string;
  data?: unknown;
  totalItems?: number;
  itemsPerPage?: number;
}

export interface RenderedOcs {
  httpStatus: number;
  contentType: string;
  body: string;
}

/** A `$comment` key becomes an XML comment, as Nextcloud's files capability uses it. */
const COMMENT_KEY = '$comment';

/**
 * HTTP status on the wire for a raw OCS status (Nextcloud's V1Response / V2Response).
 * v1 answers 200 for everything but 997; only the maintenance-mode answer forces
 * 503 there, and Nimbus has no maintenance mode.
 */
export function httpStatusFor(version: OcsVersion, status: number): number {
  if (status === 997) return 401;
  if (version === 1) return 200;
  if (status === 200 || status === 100) return 200;
  if (status === 998) return 404;
  if (status === 996 || status === 999) return 500;
  if (status >= 200 && status < 600) return status;
  return 400;
}

/** Nextcloud's V2Response sends 1xx, 204 and 304 without a body. */
const bodyless = (httpStatus: number): boolean => httpStatus < 200 || httpStatus === 204 || httpStatus === 304;

/**
 * PHP has no empty object: every "no data" map is an empty array, so
 * json_encode writes `[]` where JavaScript would write `{}` (e.g. users/details
 * of an empty group). Replacer for JSON.stringify.
 */
function phpArrays(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const _ in value) return value;
    return [];
  }
  return value;
}

export function renderOcs(version: OcsVersion, format: OcsFormat, r: OcsResult): RenderedOcs {
  const ok = r.status === 200 || r.status === 100;
  const statuscode = version === 1 ? (ok ? 100 : r.status) : ok ? 200 : r.status;
  const httpStatus = httpStatusFor(version, r.status);
  // v1 "ok" means statuscode 100; v2 "ok" means a 2xx raw status. Either way the
  // message of a success is always "OK" (V1Response / V2Response::render).
  const success = version === 1 ? statuscode === 100 : r.status >= 200 && r.status < 300;
  const meta: Record<string, unknown> = {
    status: success ? 'ok' : 'failure',
    statuscode,
    message: success ? 'OK' : (r.message ?? ''),
  };
  if (version === 1) {
    meta.totalitems = r.totalItems === undefined ? '' : String(r.totalItems);
    meta.itemsperpage = r.itemsPerPage === undefined ? '' : String(r.itemsPerPage);
  } else {
    if (r.totalItems !== undefined) meta.totalitems = r.totalItems;
    if (r.itemsPerPage !== undefined) meta.itemsperpage = r.itemsPerPage;
  }
  const contentType = format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
  if (version === 2 && bodyless(httpStatus)) return { httpStatus, contentType, body: '' };
  const data = r.data === undefined || r.data === null ? [] : r.data;
  if (format === 'json') {
    return { httpStatus, contentType, body: JSON.stringify({ ocs: { meta, data } }, phpArrays) };
  }
  const lines = ['<?xml version="1.0"?>', '<ocs>'];
  writeXml(lines, 'meta', meta, 1);
  writeXml(lines, 'data', data, 1);
  lines.push('</ocs>');
  return { httpStatus, contentType, body: `${lines.join('\n')}\n` };
}

// libxml's xmlEncodeSpecialChars, which PHP's XMLWriter uses for text: a raw CR
// would be folded into LF by any parser, so it goes out as a character reference.
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
export const escapeXml = (s: string): string =>
  // Control characters other than tab/newline/CR are not representable in XML 1.0.
  s.replace(/[&<>"\r]/g, (c) => XML_ESCAPES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function elementName(key: string): string {
  if (/^\d+$/.test(key)) return 'element';
  // Keys come from our own data, but stay safe if a user-chosen key ever lands here.
  return /^[A-Za-z_][\w.-]*$/.test(key) ? key : 'element';
}

function scalarText(v: unknown): string {
  if (v === true) return '1';
  if (v === false) return '';
  return escapeXml(String(v));
}

/** Nextcloud's BaseResponse::toXML: one-space indents, `element` for list items, empty values still present. */
function writeXml(out: string[], key: string, value: unknown, depth: number): void {
  const pad = ' '.repeat(depth);
  const name = elementName(key);
  if (value === null || value === undefined) {
    out.push(`${pad}<${name}/>`);
    return;
  }
  if (typeof value !== 'object') {
    out.push(`${pad}<${name}>${scalarText(value)}</${name}>`);
    return;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) {
    out.push(`${pad}<${name}/>`);
    return;
  }
  out.push(`${pad}<${name}>`);
  for (const [k, v] of entries) {
    if (k === COMMENT_KEY && typeof v === 'string') out.push(`${pad} <!--${v.replace(/--/g, '- -')}-->`);
    else writeXml(out, k, v, depth + 1);
  }
  out.push(`${pad}</${name}>`);
}

/**
 * Nextcloud's format choice: the `format` parameter wins; otherwise Accept is
 * split on commas and each item, lower-cased with `application/` stripped,
 * must equal json or xml exactly. Anything else is XML.
 */
export function negotiateFormat(formatParam: unknown, accept: string | undefined, useAccept = true): OcsFormat {
  if (formatParam === 'json' || formatParam === 'xml') return formatParam;
  if (useAccept && accept) {
    for (const item of accept.split(',')) {
      const t = item.trim().toLowerCase().replace('application/', '');
      if (t === 'json' || t === 'xml') return t;
    }
  }
  return 'xml';
}
