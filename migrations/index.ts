import type { Migration } from 'kysely';
import * as m0001 from './0001_identity.js';
import * as m0002 from './0002_spaces.js';
import * as m0003 from './0003_files.js';
import * as m0004 from './0004_private_data.js';
import * as m0005 from './0005_shares.js';
import * as m0006 from './0006_activity.js';
import * as m0007 from './0007_direct_links.js';
import * as m0008 from './0008_remote_shares.js';
import * as m0009 from './0009_cache_changes.js';
import * as m0010 from './0010_sessions.js';
import * as m0011 from './0011_notifications.js';
import * as m0012 from './0012_avatars.js';
import * as m0013 from './0013_user_status.js';
import * as m0014 from './0014_dav_property_names.js';
import * as m0015 from './0015_trash.js';
import * as m0016 from './0016_file_versions.js';
import * as m0018 from './0018_node_name_index.js';
import * as m0019 from './0019_oidc.js';
import * as m0020 from './0020_oidc_identities.js';

/** Every migration in order; a static list so built and test runs resolve the same files. */
export const migrations: Record<string, Migration> = {
  '0001_identity': m0001,
  '0002_spaces': m0002,
  '0003_files': m0003,
  '0004_private_data': m0004,
  '0005_shares': m0005,
  '0006_activity': m0006,
  '0007_direct_links': m0007,
  '0008_remote_shares': m0008,
  '0009_cache_changes': m0009,
  '0010_sessions': m0010,
  '0011_notifications': m0011,
  '0012_avatars': m0012,
  '0013_user_status': m0013,
  '0014_dav_property_names': m0014,
  '0015_trash': m0015,
  '0016_file_versions': m0016,
  '0018_node_name_index': m0018,
  '0019_oidc': m0019,
  '0020_oidc_identities': m0020,
};
