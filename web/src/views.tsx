import type { ComponentType } from 'preact';
import { GroupsView } from './admin/groups-view.js';
import { UsersView } from './admin/users-view.js';
import { managesUsers, type Me } from './api/ocs.js';
import { FavoritesView } from './files/favorites-view.js';
import { SearchView } from './files/search-view.js';
import { PersonalFiles } from './files/files-view.js';
import { TrashView } from './files/trash-view.js';
import { SharedByMe } from './sharing/shared-by-me.js';
import { SharedWithMe } from './sharing/shared-with-me.js';
import { SpaceFiles, SpacesView } from './spaces/spaces-view.js';

/** The storage figure the side bar shows: the person's own quota, unless the screen shows a space's files. */
export interface StorageFigure {
  label: string;
  used: number;
  /** null without a limit. */
  total: number | null;
}

/** What every screen is given: who is signed in, a way to refresh that (quota after an upload), and the side bar's storage figure. */
export interface ViewProps {
  me: Me;
  refreshMe(): void;
  showStorage(figure: StorageFigure | null): void;
}

/** One screen of the app, reached by `?view=<id>` and listed in the side bar when `listed` says so. */
export interface View {
  id: string;
  label: string;
  component: ComponentType<ViewProps>;
  listed(me: Me): boolean;
  /** The listed screen this one belongs to (a space's files to Spaces), marked current in the side bar. */
  parent?: string;
}

/**
 * Every screen, in side-bar order. A new screen is one module and one line
 * here. The first is the default (`view` absent).
 */
export const VIEWS: View[] = [
  { id: 'files', label: 'All files', component: PersonalFiles, listed: () => true },
  { id: 'favorites', label: 'Favourites', component: FavoritesView, listed: () => true },
  { id: 'search', label: 'Search', component: SearchView, listed: () => false, parent: 'files' },
  { id: 'spaces', label: 'Spaces', component: SpacesView, listed: () => true },
  { id: 'space', label: 'Space', component: SpaceFiles, listed: () => false, parent: 'spaces' },
  { id: 'sharingin', label: 'Shared with me', component: SharedWithMe, listed: () => true },
  { id: 'sharingout', label: 'Shared by me', component: SharedByMe, listed: () => true },
  { id: 'trash', label: 'Deleted files', component: TrashView, listed: () => true },
  { id: 'users', label: 'Users', component: UsersView, listed: managesUsers },
  { id: 'groups', label: 'Groups', component: GroupsView, listed: managesUsers },
];

/**
 * The screen an address names, if this person may open it: a screen the side
 * bar hides from them (the admin screens for a normal user) opens the default
 * instead; screens inside another (a space's files) are always reachable.
 */
export function viewOf(id: string | null, me: Me): View {
  const view = VIEWS.find((v) => v.id === id);
  return view && (view.parent !== undefined || view.listed(me)) ? view : VIEWS[0]!;
}
