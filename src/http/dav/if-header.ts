import { badRequest } from './errors.js';

/**
 * The WebDAV If header (RFC 4918 §10.4):
 *
 *   If = ( 1*No-tag-list | 1*Tagged-list )
 *   Tagged-list = Resource-Tag 1*List        Resource-Tag = "<" Simple-ref ">"
 *   List = "(" 1*Condition ")"               Condition = ["Not"] ( Coded-URL | "[" entity-tag "]" )
 */
export interface IfCondition {
  not: boolean;
  kind: 'token' | 'etag';
  /** The state token (lock token URI) or the entity tag as written, quotes included. */
  value: string;
}

export interface IfList {
  /** The tagged resource (absolute URI or path), null for a no-tag list (the request URI). */
  resource: string | null;
  conditions: IfCondition[];
}

export function parseIfHeader(header: string): IfList[] {
  const lists: IfList[] = [];
  let i = 0;
  let resource: string | null = null;
  let tagged: boolean | null = null;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const until = (close: string): string => {
    const end = s.indexOf(close, i);
    if (end < 0) throw badRequest(`malformed If header: missing ${close}`);
    const out = s.slice(i, end);
    i = end + 1;
    return out;
  };
  skipWs();
  while (i < s.length) {
    const c = s[i];
    if (c === '<') {
      // A resource tag starts a tagged list; mixing tagged and untagged lists is invalid.
      if (tagged === false) throw badRequest('malformed If header: tagged and untagged lists mixed');
      tagged = true;
      i++;
      resource = until('>').trim();
      skipWs();
      if (s[i] !== '(') throw badRequest('malformed If header: a resource tag must be followed by a list');
      continue;
    }
    if (c !== '(') throw badRequest('malformed If header');
    if (tagged === null) tagged = false;
    i++;
    const conditions: IfCondition[] = [];
    for (;;) {
      skipWs();
      if (i >= s.length) throw badRequest('malformed If header: unterminated list');
      if (s[i] === ')') {
        i++;
        break;
      }
      let not = false;
      if (s.slice(i, i + 3).toLowerCase() === 'not') {
        not = true;
        i += 3;
        skipWs();
      }
      if (s[i] === '<') {
        i++;
        conditions.push({ not, kind: 'token', value: until('>').trim() });
      } else if (s[i] === '[') {
        i++;
        conditions.push({ not, kind: 'etag', value: until(']').trim() });
      } else throw badRequest('malformed If header: expected a state token or an entity tag');
    }
    if (conditions.length === 0) throw badRequest('malformed If header: empty list');
    lists.push({ resource: tagged ? resource : null, conditions });
    skipWs();
  }
  if (lists.length === 0) throw badRequest('malformed If header: no list');
  return lists;
}

/** Every state token the header names outside a Not: the lock tokens the client submits (RFC 4918 §10.4.1). */
export function submittedTokens(lists: IfList[] | null): Set<string> {
  const out = new Set<string>();
  for (const l of lists ?? []) for (const c of l.conditions) if (c.kind === 'token' && !c.not) out.add(c.value);
  return out;
}

/** What a condition is checked against: the resource's current entity tag and the tokens of the locks covering it. */
export interface IfResourceState {
  /** Quoted entity tag, or null for an unmapped resource. */
  etag: string | null;
  lockTokens: ReadonlySet<string>;
}

const weakless = (tag: string): string => tag.replace(/^W\//, '');

/**
 * True when at least one list holds (every condition of it true). `stateOf`
 * resolves a list's resource: null for the request URI, else the tag as
 * written. Resources outside this server never match.
 */
export async function evaluateIf(lists: IfList[], stateOf: (resource: string | null) => Promise<IfResourceState | null>): Promise<boolean> {
  for (const list of lists) {
    const state = await stateOf(list.resource);
    let ok = true;
    for (const c of list.conditions) {
      let match = false;
      if (state) {
        if (c.kind === 'token') match = state.lockTokens.has(c.value);
        else match = state.etag !== null && weakless(state.etag) === weakless(c.value);
      }
      if (match === c.not) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}
