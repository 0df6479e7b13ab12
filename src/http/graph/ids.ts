import type { GraphEnv } from './route.js';

/** `<storage>$<space>`: a drive's id as the reference writes it (libregraph.md §4). */
export const driveId = (env: GraphEnv, spaceId: string): string => `${env.storageId}$${spaceId}`;

/** `<storage>$<space>!<node>`; the space root is the drive id itself (libregraph.md §4). */
export const itemId = (env: GraphEnv, spaceId: string, nodeId: string): string =>
  nodeId === spaceId ? driveId(env, spaceId) : `${driveId(env, spaceId)}!${nodeId}`;
