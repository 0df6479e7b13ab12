import { RemoteSharesRepository } from './repositories/remote-shares.repository.js';
import type { Kysely } from 'kysely';
import type { Repositories, TxRunner } from '../ports/repositories.js';
import { ActivitiesRepository } from './repositories/activities.repository.js';
import { AppPasswordsRepository } from './repositories/app-passwords.repository.js';
import { AppStatesRepository } from './repositories/app-states.repository.js';
import { DirectLinksRepository } from './repositories/direct-links.repository.js';
import { GroupsRepository } from './repositories/groups.repository.js';
import { BlobJournalRepositoryImpl, CountersRepository, DavLocksRepository, DavPropertiesRepository, SpaceTreeRepositoryImpl } from './repositories/file-state.repository.js';
import { NodesRepository } from './repositories/nodes.repository.js';
import { NodeSearchRepositoryImpl } from './repositories/node-search.repository.js';
import { TrashRepositoryImpl } from './repositories/trash.repository.js';
import { KyselyConsistencyRepository } from './repositories/consistency.repository.js';
import { AvatarsRepository } from './repositories/avatars.repository.js';
import { NotificationsRepository } from './repositories/notifications.repository.js';
import { PrivateDataRepositoryImpl } from './repositories/private-data.repository.js';
import { UserStatusesRepository } from './repositories/user-status.repository.js';
import { SharesRepository } from './repositories/shares.repository.js';
import { LoginFailuresRepository } from './repositories/login-failures.repository.js';
import { InstanceSettingsRepositoryImpl, UserRolesRepository } from './repositories/instance.repository.js';
import { SpaceMembersRepository } from './repositories/space-members.repository.js';
import { SpacesRepository } from './repositories/spaces.repository.js';
import { SessionsRepository } from './repositories/sessions.repository.js';
import { OidcGrantsRepository, OidcModelsRepository, OidcSigningKeysRepository } from './repositories/oidc.repository.js';
import { OidcIdentitiesRepository } from './repositories/oidc-identities.repository.js';
import { LoginFlowsRepository } from './repositories/login-flows.repository.js';
import { UsersRepository } from './repositories/users.repository.js';
import { VersionsRepository } from './repositories/versions.repository.js';
import { type CacheContext, TxScope } from './cache/cached.js';
import type { Database } from './schema.js';

export function repositoriesFor(db: Kysely<Database>, cx: CacheContext): Repositories {
  return {
    users: new UsersRepository(db, cx),
    groups: new GroupsRepository(db, cx),
    appPasswords: new AppPasswordsRepository(db, cx),
    appStates: new AppStatesRepository(db),
    loginFailures: new LoginFailuresRepository(db, cx),
    spaces: new SpacesRepository(db, cx),
    spaceMembers: new SpaceMembersRepository(db, cx),
    userRoles: new UserRolesRepository(db, cx),
    instanceSettings: new InstanceSettingsRepositoryImpl(db),
    nodes: new NodesRepository(db),
    nodeSearch: new NodeSearchRepositoryImpl(db),
    trash: new TrashRepositoryImpl(db),
    spaceTree: new SpaceTreeRepositoryImpl(db),
    counters: new CountersRepository(db),
    davProperties: new DavPropertiesRepository(db),
    davLocks: new DavLocksRepository(db),
    blobJournal: new BlobJournalRepositoryImpl(db),
    versions: new VersionsRepository(db),
    consistency: new KyselyConsistencyRepository(db),
    privateData: new PrivateDataRepositoryImpl(db),
    avatars: new AvatarsRepository(db),
    userStatuses: new UserStatusesRepository(db),
    directLinks: new DirectLinksRepository(db),
    activities: new ActivitiesRepository(db),
    notifications: new NotificationsRepository(db),
    shares: new SharesRepository(db, cx),
    remoteShares: new RemoteSharesRepository(db, cx),
    sessions: new SessionsRepository(db, cx),
    loginFlows: new LoginFlowsRepository(db),
    oidcModels: new OidcModelsRepository(db),
    oidcGrants: new OidcGrantsRepository(db, cx),
    oidcSigningKeys: new OidcSigningKeysRepository(db),
    oidcIdentities: new OidcIdentitiesRepository(db, cx),
  };
}

export class KyselyTxRunner implements TxRunner {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cx: Omit<CacheContext, 'scope'>,
  ) {}

  async run<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    const scope = new TxScope();
    const result = await this.db.transaction().execute(async (trx) => {
      const r = await fn(repositoriesFor(trx, { ...this.cx, scope }));
      // The change-log entry commits with the change: other processes see both at once.
      if (scope.keys.size) await this.cx.feed.announce(trx, scope.keys);
      return r;
    });
    if (scope.keys.size) this.cx.cache.invalidate(scope.keys);
    return result;
  }
}
