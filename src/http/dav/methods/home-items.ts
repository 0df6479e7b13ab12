import { type DavCall, isMountRoot } from '../context.js';
import type { DavLocation } from '../location.js';
import { propResponse } from '../multistatus.js';
import { allProps, resolveProps } from '../props/index.js';
import type { PropItem } from '../props/types.js';
import { loadScope, type PropRequest } from './propfind.js';

/**
 * Multistatus responses for paths of the caller's home (REPORT favourites,
 * SEARCH hits): each opened as the caller at its place, so only what they
 * may still read is listed, a mount point under its mount name.
 */
export async function homeResponses(call: DavCall, home: DavLocation, paths: string[][], props: PropRequest): Promise<string[]> {
  const responses: string[] = [];
  for (const path of paths) {
    const at = await call.target({ ...home, path }).catch(() => null);
    const node = at && (await call.stat(at).catch(() => null));
    if (!at || !node) continue;
    const mountRoot = isMountRoot(at);
    const item: PropItem = { node: mountRoot ? { ...node, name: at.mount!.name } : node, path: at.path, href: call.href(at, at.path, node.type === 'folder'), mountRoot };
    const scope = await loadScope(call, at, [item], props);
    responses.push(propResponse(item.href, props.kind === 'prop' ? resolveProps(item, scope, props.props) : allProps(item, scope)));
  }
  return responses;
}
