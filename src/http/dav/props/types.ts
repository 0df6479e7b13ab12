import type { FileNode } from '../../../domain/node.js';
import type { Space } from '../../../domain/space.js';
import type { FileAccess } from '../../../services/access/files.contract.js';
import type { DavLock } from '../state.js';
import type { PropValue } from '../multistatus.js';

/** Instance facts properties are built from. */
export interface DavEnv {
  publicUrl: string;
  storageId: string;
  /** Nextcloud's instance id (`oc` + 10 characters): the suffix of every oc:id. */
  instanceId: string;
}

/** One resource of a PROPFIND answer. */
export interface PropItem {
  node: FileNode;
  /** Space-relative path; [] is the space root. */
  path: readonly string[];
  href: string;
  /** The caller's access to this item when it differs from the request target's (a share mounted in their home). */
  access?: FileAccess;
  /** The item is a received share's mount point. */
  mountRoot?: boolean;
  /** The space the item lives in when it is not the request target's (a mounted share). */
  spaceId?: string;
}

/** What every item of one answer shares, loaded once per request (dead properties and locks only when asked for). */
export interface PropScope {
  env: DavEnv;
  userId: string;
  space: Space;
  access: FileAccess;
  quota: { used: number; limit: number | null };
  ownerDisplayName: string;
  /** node id → Clark name → value XML. */
  dead: Map<string, Map<string, string>>;
  /** node id → share types that concern the caller (oc:share-types), loaded only when asked for. */
  shareTypes: Map<string, number[]>;
  /** Active locks covering an item (lockdiscovery). */
  locksOf(item: PropItem): DavLock[];
  /** Hrefs of lock roots, for d:lockroot. */
  lockHref(lock: DavLock): string;
  /** Whether a preview can be made of the node (nc:has-preview). */
  hasPreview(node: FileNode): boolean;
}

export interface LiveProp {
  ns: string;
  name: string;
  /** Part of Nextcloud's allprop answer (sample 25: the core d: set). */
  allprop?: boolean;
  /** A PROPPATCH writes it through a handler rather than the dead-property store. */
  writable?: boolean;
  /** undefined: the property does not apply to this item (404 propstat). */
  get(item: PropItem, scope: PropScope): PropValue | undefined;
}
