import { clark } from '../xml.js';
import { DAV_PROPS } from './dav.js';
import { NC_PROPS } from './nc.js';
import { favoriteKey, OC_PROPS } from './oc.js';
import type { LiveProp, PropItem, PropScope } from './types.js';
import { elementOf, foundMissingResponse, type PropResult, type PropTags, propTags } from '../multistatus.js';

export type { DavEnv, LiveProp, PropItem, PropScope } from './types.js';

/** Every live property by Clark name. */
export const LIVE_PROPS = new Map<string, LiveProp>([...DAV_PROPS, ...OC_PROPS, ...NC_PROPS].map((p) => [clark(p.ns, p.name), p]));

const ALLPROP = [...LIVE_PROPS.values()].filter((p) => p.allprop);

/** Dead-property names that are not the client's own properties (per-user favorites). */
const isInternal = (name: string): boolean => name.startsWith(`${favoriteKey('')}`);

export function splitClark(name: string): { ns: string; name: string } {
  const end = name.indexOf('}');
  return { ns: name.slice(1, end), name: name.slice(end + 1) };
}

/** The requested properties of one item: live ones computed, dead ones from the store, others 404. */
export function resolveProps(item: PropItem, scope: PropScope, requested: Array<{ ns: string; name: string }>): PropResult[] {
  const dead = scope.dead.get(item.node.id);
  return requested.map(({ ns, name }) => {
    const key = clark(ns, name);
    const live = LIVE_PROPS.get(key);
    if (live) {
      const value = live.get(item, scope);
      return value === undefined ? { ns, name, status: 404 } : { ns, name, status: 200, value };
    }
    const stored = isInternal(key) ? undefined : dead?.get(key);
    return stored === undefined ? { ns, name, status: 404 } : { ns, name, status: 200, value: { xml: stored } };
  });
}

/** The requested properties looked up once, for answers with many items (resolvePlanned, renderPlanned). */
export interface PropPlan {
  entries: Array<{ ns: string; name: string; key: string; live: LiveProp | undefined; internal: boolean; tags: PropTags }>;
}

export function planProps(requested: Array<{ ns: string; name: string }>): PropPlan {
  return {
    entries: requested.map(({ ns, name }) => {
      const key = clark(ns, name);
      return { ns, name, key, live: LIVE_PROPS.get(key), internal: isInternal(key), tags: propTags(ns, name) };
    }),
  };
}

/** resolveProps with the names already looked up: the same answer for the same item and scope. */
export function resolvePlanned(item: PropItem, scope: PropScope, plan: PropPlan): PropResult[] {
  const dead = scope.dead.get(item.node.id);
  const out: PropResult[] = new Array(plan.entries.length);
  for (let i = 0; i < plan.entries.length; i++) {
    const { ns, name, key, live, internal } = plan.entries[i]!;
    if (live) {
      const value = live.get(item, scope);
      out[i] = value === undefined ? { ns, name, status: 404 } : { ns, name, status: 200, value };
      continue;
    }
    const stored = internal ? undefined : dead?.get(key);
    out[i] = stored === undefined ? { ns, name, status: 404 } : { ns, name, status: 200, value: { xml: stored } };
  }
  return out;
}

/**
 * The `<d:response>` of one item, written straight from the plan: byte for
 * byte propResponse(item.href, resolvePlanned(item, scope, plan)), without
 * the result objects in between (a favourites REPORT writes 10,000).
 */
export function renderPlanned(item: PropItem, scope: PropScope, plan: PropPlan): string {
  const dead = scope.dead.get(item.node.id);
  let found = '';
  let missing = '';
  for (const { key, live, internal, tags } of plan.entries) {
    const value = live ? live.get(item, scope) : internal ? undefined : dead?.get(key);
    if (value === undefined) missing += tags.empty;
    else found += live ? elementOf(tags, value) : tags.open + (value as string) + tags.close;
  }
  return foundMissingResponse(item.href, found, missing);
}

/** allprop: Nextcloud's core set that applies to the item, then every dead property. */
export function allProps(item: PropItem, scope: PropScope): PropResult[] {
  const out: PropResult[] = [];
  for (const p of ALLPROP) {
    const value = p.get(item, scope);
    if (value !== undefined) out.push({ ns: p.ns, name: p.name, status: 200, value });
  }
  for (const [key, xml] of scope.dead.get(item.node.id) ?? []) {
    if (isInternal(key)) continue;
    const { ns, name } = splitClark(key);
    out.push({ ns, name, status: 200, value: { xml } });
  }
  return out;
}

/** propname: the names of every property the item has. */
export function propNames(item: PropItem, scope: PropScope): PropResult[] {
  const out: PropResult[] = [];
  for (const p of LIVE_PROPS.values()) if (p.get(item, scope) !== undefined) out.push({ ns: p.ns, name: p.name, status: 200, value: null });
  for (const key of scope.dead.get(item.node.id)?.keys() ?? []) {
    if (isInternal(key)) continue;
    out.push({ ...splitClark(key), status: 200, value: null });
  }
  return out;
}
