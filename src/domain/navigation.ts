/**
 * What the web side serves to a signed-in user, as Nextcloud's navigation
 * entries (INavigationManager): `link` entries are apps (the Files web app), `settings` entries are the personal pages. Paths
 * are below the server's base; icons are themed icons the web side draws.
 */
export interface NavigationEntry {
  id: string;
  type: 'link' | 'settings';
  order: number;
  name: string;
  /** Path below the server's base (`/account`). */
  path: string;
  /** Path of the entry's icon below the server's base. */
  icon: string;
}

export const NAVIGATION: readonly NavigationEntry[] = [
  { id: 'files', type: 'link', order: 0, name: 'Files', path: '/apps/files/', icon: '/index.php/apps/theming/img/core/filetypes/folder.svg' },
  { id: 'settings', type: 'settings', order: 1, name: 'Personal settings', path: '/account', icon: '/index.php/apps/theming/img/core/actions/user.svg' },
  { id: 'devices', type: 'settings', order: 2, name: 'Devices & sessions', path: '/account/devices', icon: '/index.php/apps/theming/img/core/actions/devices.svg' },
];

/** The entries of one kind, in Nextcloud's order (by order, then by name). */
export function navigationOf(type: NavigationEntry['type'], entries: readonly NavigationEntry[] = NAVIGATION): NavigationEntry[] {
  return entries.filter((e) => e.type === type).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}
