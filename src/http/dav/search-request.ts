import { type FileSearch, MAX_SEARCH_DEPTH, MAX_SEARCH_RESULTS, type SearchCondition, type SearchField, type SearchOrder } from '../../domain/file-search.js';
import { DavError } from './errors.js';
import type { PropRequest } from './methods/propfind.js';
import { child, clark, elements, is, NS_DAV, NS_NC, NS_OC, textOf, type XmlElement } from './xml.js';

const bad = (message: string): DavError => new DavError(400, 'Sabre\\DAV\\Exception\\BadRequest', message);
/** What the grammar has but this server does not search by: 501, as a feature not there, not a broken request. */
const unsupported = (message: string): DavError => new DavError(501, 'Sabre\\DAV\\Exception\\NotImplemented', message);

/** The properties a search may compare, as Nextcloud's FileSearchBackend::getPropertyDefinitionsForScope names them. */
const FIELDS = new Map<string, SearchField | 'favorite'>([
  [clark(NS_DAV, 'displayname'), 'name'],
  [clark(NS_DAV, 'getcontenttype'), 'mime'],
  [clark(NS_DAV, 'getlastmodified'), 'mtime'],
  [clark(NS_OC, 'size'), 'size'],
  [clark(NS_DAV, 'getcontentlength'), 'size'],
  [clark(NS_OC, 'fileid'), 'fileId'],
  [clark(NS_OC, 'favorite'), 'favorite'],
]);
const SORTABLE = new Set(['name', 'mime', 'mtime', 'size']);

export interface SearchRequest {
  props: PropRequest;
  /** The scope href below the DAV root: `/files/{user}/…`, decoded segments. */
  scope: string[];
  depthOne: boolean;
  search: FileSearch;
}

function propOf(el: XmlElement): { key: string; field: SearchField | 'favorite' } {
  const prop = child(el, NS_DAV, 'prop');
  const [p] = prop ? elements(prop) : [];
  if (!p) throw bad(`${el.name} needs a property`);
  const key = clark(p.ns, p.name);
  const field = FIELDS.get(key);
  if (!field) throw unsupported(`Searching by ${key} is not supported`);
  return { key, field };
}

/** Dates as clients send them: unix seconds, or an HTTP or ISO date. */
function timeOf(literal: string): number {
  const t = literal.trim();
  if (/^\d{1,12}$/.test(t)) return Number(t) * 1000;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw bad(`Not a date: ${t}`);
  return ms;
}

function conditionOf(el: XmlElement, depth: number): SearchCondition {
  if (depth > MAX_SEARCH_DEPTH) throw bad('The search is nested too deeply');
  if (el.ns !== NS_DAV) throw unsupported(`Unsupported search operator {${el.ns}}${el.name}`);
  switch (el.name) {
    case 'and':
    case 'or': {
      const of = elements(el).map((c) => conditionOf(c, depth + 1));
      if (of.length === 0) throw bad(`${el.name} needs operands`);
      return { op: el.name, of };
    }
    case 'not': {
      const [only, ...more] = elements(el);
      if (!only || more.length) throw bad('not takes exactly one operand');
      return { op: 'not', of: conditionOf(only, depth + 1) };
    }
    case 'is-collection':
      return { op: 'folder', value: true };
    case 'eq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
    case 'like': {
      const { key, field } = propOf(el);
      const literalEl = child(el, NS_DAV, 'literal');
      if (!literalEl) throw bad(`${el.name} needs a literal`);
      const literal = textOf(literalEl);
      if (literal.length > 1000) throw bad('The literal is too long');
      if (field === 'favorite') {
        if (el.name !== 'eq') throw unsupported('oc:favorite is compared with eq only');
        return { op: 'favorite', value: literal.trim() === '1' || literal.trim().toLowerCase() === 'true' };
      }
      if (el.name === 'like') {
        if (field !== 'name' && field !== 'mime') throw unsupported(`like does not apply to ${key}`);
        return { op: 'like', field, value: literal };
      }
      if (field === 'mtime') return { op: el.name, field, value: timeOf(literal) };
      if (field === 'size' || field === 'fileId') {
        if (!/^\s*\d{1,18}\s*$/.test(literal)) throw bad(`${key} compares with a number`);
        return { op: el.name, field, value: Number(literal) };
      }
      return { op: el.name, field, value: literal };
    }
    default:
      throw unsupported(`Unsupported search operator ${el.name}`);
  }
}

function orderOf(orderby: XmlElement | undefined): SearchOrder[] {
  if (!orderby) return [];
  return elements(orderby)
    .filter((o) => is(o, NS_DAV, 'order'))
    .map((o) => {
      const { key, field } = propOf(o);
      if (!SORTABLE.has(field)) throw unsupported(`Sorting by ${key} is not supported`);
      return { field: field as SearchOrder['field'], desc: child(o, NS_DAV, 'descending') !== undefined };
    });
}

/** RFC 5323 basicsearch as Nextcloud's clients send it (the web app's recent files, the Android app's search and gallery). */
export function parseSearchRequest(body: XmlElement | null): SearchRequest {
  if (!body) throw bad('The search request body is empty');
  if (!is(body, NS_DAV, 'searchrequest')) throw bad('The body must be a DAV:searchrequest');
  const basic = child(body, NS_DAV, 'basicsearch');
  if (!basic) throw unsupported('Only basicsearch is supported');
  const select = child(basic, NS_DAV, 'select');
  const prop = select && child(select, NS_DAV, 'prop');
  const props: PropRequest = prop ? { kind: 'prop', props: elements(prop).map((e) => ({ ns: e.ns, name: e.name })) } : { kind: 'allprop', include: [] };
  const from = child(basic, NS_DAV, 'from');
  const scopeEl = from && child(from, NS_DAV, 'scope');
  const hrefEl = scopeEl && child(scopeEl, NS_DAV, 'href');
  if (!hrefEl) throw bad('The search needs a scope');
  let href = textOf(hrefEl).trim();
  try {
    href = new URL(href, 'http://nimbus.invalid').pathname;
  } catch {
    throw bad('The scope is not a path');
  }
  href = href.replace(/^\/remote\.php\/dav(?=\/)/, '');
  let scope: string[];
  try {
    scope = href.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    throw bad('The scope is not a path');
  }
  const depthEl = scopeEl && child(scopeEl, NS_DAV, 'depth');
  const depth = depthEl ? textOf(depthEl).trim().toLowerCase() : 'infinity';
  if (depth !== 'infinity' && depth !== '1') throw bad('The scope depth must be 1 or infinity');
  const whereEl = child(basic, NS_DAV, 'where');
  const [first, ...more] = whereEl ? elements(whereEl) : [];
  if (more.length) throw bad('where takes one condition');
  const limitEl = child(basic, NS_DAV, 'limit');
  const nresults = limitEl && child(limitEl, NS_DAV, 'nresults');
  const firstresult = limitEl && (child(limitEl, NS_NC, 'firstresult') ?? child(limitEl, NS_OC, 'firstresult'));
  const number = (el: XmlElement | undefined) => (el ? Math.max(0, parseInt(textOf(el).trim(), 10) || 0) : undefined);
  const limit = number(nresults);
  return {
    props,
    scope,
    depthOne: depth === '1',
    search: { where: first ? conditionOf(first, 0) : null, order: orderOf(child(basic, NS_DAV, 'orderby')), limit: limit === undefined ? undefined : Math.min(limit, MAX_SEARCH_RESULTS), offset: number(firstresult) ?? 0 },
  };
}
