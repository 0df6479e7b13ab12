import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DavError } from './errors.js';

export const NS_DAV = 'DAV:';
export const NS_OC = 'http://owncloud.org/ns';
export const NS_NC = 'http://nextcloud.org/ns';
export const NS_SABRE = 'http://sabredav.org/ns';
export const NS_OCS = 'http://open-collaboration-services.org/ns';

/** A namespace-resolved XML element of a request body. */
export interface XmlElement {
  ns: string;
  name: string;
  /** Attributes by local name (namespace declarations excluded). */
  attrs: Record<string, string>;
  /** Element and text children in document order. */
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

/** Clark notation `{ns}name`, the key every property table uses. */
export const clark = (ns: string, name: string): string => `{${ns}}${name}`;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/** Text content only: `&`, `<` and `>` escaped, quotes kept (as Sabre writes getetag: `&quot;` — see escapeXml for that). */
export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Element nesting a request body may have; resolve() and the property writers recurse once per level. */
const MAX_DEPTH = 100;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // DAV request bodies are a few levels deep (a dead property's value a few more); the parser refuses deeper ones.
  maxNestedTags: MAX_DEPTH,
});

type RawNode = Record<string, unknown>;

/**
 * Parses a small request body (PROPFIND, PROPPATCH, LOCK). Empty → null.
 * Malformed XML, nesting deeper than MAX_DEPTH, a DOCTYPE (no entity
 * expansion from clients) and namespace errors (an undeclared prefix, `xmlns:p=""`) are 400 as in
 * mod_dav and Sabre (litmus props: propfind_invalid, propfind_invalid2).
 */
export function parseXmlBody(body: Buffer | string | undefined | null): XmlElement | null {
  const text = (typeof body === 'string' ? body : body?.toString('utf8') ?? '').replace(/^\uFEFF/, '');
  if (text.trim() === '') return null;
  // XML 1.0 §2.2: these characters may not appear in a document at all (and PostgreSQL cannot store NUL).
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text)) {
    throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'The request body had an invalid XML body. (message: a character XML does not allow)');
  }
  if (/<!DOCTYPE/i.test(text)) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'DOCTYPE is not allowed in request bodies');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', `The request body had an invalid XML body. (message: ${valid.err.msg})`);
  let raw: RawNode[];
  try {
    raw = parser.parse(text) as RawNode[];
  } catch (err) {
    // Anything the parser refuses after validation (nesting past MAX_DEPTH) is the body's fault, not the server's.
    throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', `The request body had an invalid XML body. (message: ${(err as Error).message})`);
  }
  const roots = raw.filter((n) => elementName(n) !== null);
  if (roots.length !== 1) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', 'The request body must have exactly one root element');
  return resolve(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), '');
}

function elementName(n: RawNode): string | null {
  for (const k of Object.keys(n)) if (k !== ':@' && k !== '#text') return k;
  return null;
}

function resolve(node: RawNode, scope: Map<string, string>, defaultNs: string): XmlElement {
  const qname = elementName(node)!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let local: Map<string, string> | null = null;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') defaultNs = v;
    else if (k.startsWith('xmlns:')) {
      // Namespaces in XML 1.0 §3: a prefix may not be bound to the empty name.
      if (v === '') throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', `invalid empty namespace for prefix ${k.slice(6)}`);
      local ??= new Map(scope);
      local.set(k.slice(6), v);
    } else attrs[k.includes(':') ? k.slice(k.indexOf(':') + 1) : k] = v;
  }
  const nsScope = local ?? scope;
  const colon = qname.indexOf(':');
  let ns = defaultNs;
  let name = qname;
  if (colon >= 0) {
    const prefix = qname.slice(0, colon);
    const bound = nsScope.get(prefix);
    if (bound === undefined) throw new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', `undeclared namespace prefix ${prefix}`);
    ns = bound;
    name = qname.slice(colon + 1);
  }
  const children: XmlNode[] = [];
  for (const child of (node[qname] ?? []) as RawNode[]) {
    if ('#text' in child) children.push(String(child['#text']));
    else if (elementName(child) !== null) children.push(resolve(child, nsScope, defaultNs));
  }
  return { ns, name, attrs, children };
}

export const elements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => typeof c !== 'string');
export const child = (el: XmlElement, ns: string, name: string): XmlElement | undefined => elements(el).find((c) => c.ns === ns && c.name === name);
export const textOf = (el: XmlElement): string => el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
export const is = (el: XmlElement, ns: string, name: string): boolean => el.ns === ns && el.name === name;

/**
 * The inner content of an element as standalone XML: every element names its
 * namespace with its own declaration, so the fragment stays well-formed and
 * keeps its meaning wherever it is written back (dead property values,
 * lock owners; litmus props: propvalnspace, propwformed).
 */
export function innerXml(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? escapeText(c) : outerXml(c))).join('');
}

function outerXml(el: XmlElement): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const open = `${el.name} xmlns="${escapeXml(el.ns)}"${attrs}`;
  if (el.children.length === 0) return `<${open}/>`;
  return `<${open}>${innerXml(el)}</${el.name}>`;
}

/** True when the element has element children (a structured value), not just text. */
export const hasElementChildren = (el: XmlElement): boolean => el.children.some((c) => typeof c !== 'string');
