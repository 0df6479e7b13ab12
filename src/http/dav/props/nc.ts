import { NS_NC } from '../xml.js';
import type { LiveProp } from './types.js';

const seconds = (ms: number): string => String(Math.floor(ms / 1000));

export const NC_PROPS: LiveProp[] = [
  { ns: NS_NC, name: 'has-preview', get: (i, s) => (s.hasPreview(i.node) ? 'true' : 'false') },
  { ns: NS_NC, name: 'mount-type', get: () => '' },
  { ns: NS_NC, name: 'is-encrypted', get: () => '0' },
  { ns: NS_NC, name: 'sharees', get: () => null },
  { ns: NS_NC, name: 'creation_time', get: (i) => seconds(i.node.createdAt) },
  { ns: NS_NC, name: 'upload_time', get: (i) => seconds(i.node.createdAt) },
];
