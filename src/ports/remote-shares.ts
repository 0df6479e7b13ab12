import type { RemoteShare } from '../domain/federation.js';

export interface RemoteShareRepository {
  insert(share: RemoteShare): Promise<void>;
  byId(id: string): Promise<RemoteShare | undefined>;
  /** A user's remote shares, pending or accepted, oldest first. */
  ofUser(userId: string, accepted?: boolean): Promise<RemoteShare[]>;
  /** The shares an owner's server names in a notification: its share id and the token it sent. */
  byRemoteId(remoteId: string, token: string): Promise<RemoteShare[]>;
  accept(id: string, mountName: string): Promise<void>;
  rename(id: string, mountName: string): Promise<void>;
  delete(id: string): Promise<void>;
}
