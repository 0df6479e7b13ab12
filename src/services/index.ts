import type { Share } from '../domain/share.js';
import { ActivityService } from './activity.service.js';
import { AppPasswordsService } from './app-passwords.service.js';
import { AppsService } from './apps.service.js';
import { AuthService } from './auth.service.js';
import type { ServiceContext } from './context.js';
import { DirectoryService } from './directory.service.js';
import { GlobalRolesService } from './global-roles.service.js';
import { GroupsService } from './groups.service.js';
import { MembershipsService } from './memberships.service.js';
import { PasswordPolicyService } from './password-policy.service.js';
import { CapabilitiesService, type InstanceInfo } from './capabilities.service.js';
import { UserEditService } from './user-edit.service.js';
import { SpaceMembersService } from './space-members.service.js';
import { SpacesService } from './spaces.service.js';
import { UsersService } from './users.service.js';
import { ChunkedUploadsService } from './chunked-uploads.service.js';
import { DavStateService } from './dav-state.service.js';
import { DirectLinksService } from './direct-links.service.js';
import { NodesService } from './nodes.service.js';
import { PrivateDataService } from './private-data.service.js';
import { SharesService } from './shares.service.js';
import { PublicLinksService } from './public-links.service.js';
import { GraphSharesService } from './graph-shares.service.js';
import { SharedItemsService } from './graph-shared-items.js';
import { SpaceSharesService } from './space-shares.service.js';
import type { UploadStaging } from '../ports/upload-staging.js';
import type { FederationTransport } from '../ports/federation.js';
import { FederationService } from './federation.service.js';

export interface Services {
  auth: AuthService;
  users: UsersService;
  userEdit: UserEditService;
  memberships: MembershipsService;
  groups: GroupsService;
  apps: AppsService;
  appPasswords: AppPasswordsService;
  passwordPolicy: PasswordPolicyService;
  capabilities: CapabilitiesService;
  globalRoles: GlobalRolesService;
  spaces: SpacesService;
  spaceMembers: SpaceMembersService;
  directory: DirectoryService;
  files: NodesService;
  davState: DavStateService;
  uploads: ChunkedUploadsService;
  privateData: PrivateDataService;
  activity: ActivityService;
  shares: SharesService;
  publicLinks: PublicLinksService;
  directLinks: DirectLinksService;
  graphShares: GraphSharesService;
  sharedItems: SharedItemsService;
  spaceShares: SpaceSharesService;
  federation: FederationService;
}

export function createServices(ctx: ServiceContext, instance: InstanceInfo, uploadStaging: UploadStaging, transport: FederationTransport): Services {
  const federation = new FederationService(ctx, transport, instance.publicUrl);
  const apps = new AppsService(ctx);
  const dropped = (shares: Share[]) => federation.notifyUnsharedAll(shares);
  const users = new UsersService(ctx, dropped);
  const userEdit = new UserEditService(ctx);
  const groups = new GroupsService(ctx);
  const globalRoles = new GlobalRolesService(ctx);
  const files = new NodesService(ctx, ctx.blobs, dropped);
  const shares = new SharesService(ctx, federation);
  return {
    auth: new AuthService(ctx),
    users,
    userEdit,
    memberships: new MembershipsService(ctx),
    groups,
    apps,
    appPasswords: new AppPasswordsService(ctx),
    passwordPolicy: new PasswordPolicyService(ctx),
    capabilities: new CapabilitiesService(apps, instance),
    globalRoles,
    spaces: new SpacesService(ctx),
    spaceMembers: new SpaceMembersService(ctx),
    directory: new DirectoryService(ctx, users, userEdit, groups, globalRoles),
    files,
    davState: new DavStateService(ctx),
    uploads: new ChunkedUploadsService(uploadStaging, ctx.clock),
    privateData: new PrivateDataService(ctx),
    activity: new ActivityService(ctx),
    shares,
    publicLinks: new PublicLinksService(ctx),
    directLinks: new DirectLinksService(ctx, files),
    graphShares: new GraphSharesService(ctx, shares),
    sharedItems: new SharedItemsService(ctx, federation),
    spaceShares: new SpaceSharesService(ctx),
    federation,
  };
}
