import type { ComponentType } from 'preact';
import type { Me } from './api/ocs.js';
import { FavoritesView } from './files/favorites-view.js';
import { PersonalFiles } from './files/files-view.js';

/** What every screen is given: who is signed in, and a way to refresh that (quota after an upload). */
export interface ViewProps {
  me: Me;
  refreshMe(): void;
}

/** One screen of the app, reached by `?view=<id>` and listed in the side bar when `listed` says so. */
export interface View {
  id: string;
  label: string;
  component: ComponentType<ViewProps>;
  listed(me: Me): boolean;
}

/**
 * Every screen, in side-bar order. A new screen is one module and one line
 * here. The first is the default (`view` absent).
 */
export const VIEWS: View[] = [
  { id: 'files', label: 'All files', component: PersonalFiles, listed: () => true },
  { id: 'favorites', label: 'Favourites', component: FavoritesView, listed: () => true },
];

export const viewOf = (id: string | null): View => VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
