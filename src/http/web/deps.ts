import type { Services } from '../../services/index.js';
import type { PageEnv } from './pages.js';

/** What the page routes are built from. */
export interface WebDeps {
  services: Services;
  env: PageEnv;
  /** PUBLIC_URL: the server address Login Flows hand to clients, and whether cookies are Secure. */
  publicUrl: string;
  /** The storage id in front of every space id (`<storageId>$<spaceId>`), as the Graph and oCIS links carry it. */
  storageId: string;
}

export interface WebPluginOptions {
  services: Services;
  publicUrl: string;
  instanceName: string;
  /** INSTANCE_COLOR, the pages' theming colour. */
  color: string;
  storageId: string;
}

/** Path prefix of the public URL, so the pages' links work behind a proxy that serves Nimbus below a path. */
export function basePathOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export function pageEnv(opts: Pick<WebPluginOptions, 'publicUrl' | 'instanceName' | 'color'>): PageEnv {
  return { instanceName: opts.instanceName, color: opts.color, basePath: basePathOf(opts.publicUrl) };
}
