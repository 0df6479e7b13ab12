/** Clark name of the WebDAV favorite property (oc:favorite). */
export const FAVORITE = '{http://owncloud.org/ns}favorite';

/** Favorites are per user: stored as a dead property under a name only that user's requests read. */
export const favoriteKey = (userId: string): string => `${FAVORITE}:${userId}`;

/** The tag name Nextcloud gives favorites wherever tags are listed (include_tags). */
export const FAVORITE_TAG = '_$!<Favorite>!$_';
