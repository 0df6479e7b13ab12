import type { Share } from '../domain/share.js';
import { ActivityService } from './activity/activity.service.js';
import { AppPasswordsService } from './identity/app-passwords.service.js';
import { AppsService } from './system/apps.service.js';
import { AuthService } from './identity/auth.service.js';
import { LoginFlowsService } from './identity/login-flows.service.js';
import { SessionsService } from './identity/sessions.service.js';
import { OidcService } from './identity/oidc.service.js';
import { ExternalOidcService } from './identity/external-oidc.service.js';
import { jwtVerifierFor } from './identity/jwt-issuers.js';
import { ExternalSignInService } from './identity/external-signin.service.js';
import type { ExternalIssuerClient } from '../ports/external-issuer.js';
import type { ExternalOidcSettings } from '../domain/external-oidc.js';
import type { ServiceContext } from '../ports/service-context.js';
import { GraphDirectoryService } from './identity/graph-directory.service.js';
import { GlobalRolesService } from './access/global-roles.service.js';
import { GroupsService } from './identity/groups.service.js';
import { MembershipsService } from './identity/memberships.service.js';
import { PasswordPolicyService } from './identity/password-policy.service.js';
import { CapabilitiesService, type InstanceInfo } from './system/capabilities.service.js';
import { UserEditService } from './identity/user-edit.service.js';
import { SpaceMembersService } from './spaces/space-members.service.js';
import { SpacesService } from './spaces/spaces.service.js';
import { UsersService } from './identity/users.service.js';
import { ChunkedUploadsService } from './files/chunked-uploads.service.js';
import { TusUploadsService } from './files/tus-uploads.service.js';
import { DavStateService } from './files/dav-state.service.js';
import { DirectLinksService } from './files/direct-links.service.js';
import { PrivateLinksService } from './files/private-links.service.js';
import { FilesService } from './files/files.service.js';
import { VersionsService } from './files/versions.service.js';
import { TrashService } from './files/trash.service.js';
import { PrivateDataService } from './system/private-data.service.js';
import { UserStatusService } from './identity/user-status.service.js';
import { SharesService } from './sharing/shares.service.js';
import { ShareesService } from './sharing/sharees.service.js';
import { PublicLinksService } from './sharing/public-links.service.js';
import { GraphSharesService } from './sharing/graph-shares.service.js';
import { GraphSharedItemsService } from './sharing/graph-shared-items.service.js';
import { SpaceSharesService } from './sharing/space-shares.service.js';
import type { UploadStaging } from '../ports/upload-staging.js';
import type { TusStaging } from '../ports/tus-staging.js';
import type { RemoteServers } from '../ports/federation.js';
import { FederationService } from './federation/federation.service.js';
import { FederatedOffers } from './federation/federated-offers.js';
import { AvatarsService } from './identity/avatars.service.js';
import type { AvatarImages } from '../ports/avatars.js';
import { NotificationsService } from './activity/notifications.service.js';
import { PreviewsService, type PreviewSettings } from './files/previews.service.js';
import { FileSearchService } from './files/file-search.service.js';
import type { PreviewRenderer } from '../ports/previews.js';
import { InstanceStatsService } from './system/instance-stats.service.js';

export interface Services {
  auth: AuthService;
  sessions: SessionsService;
  oidc: OidcService;
  /** The trusted external provider (OIDC_ISSUER), or null. */
  externalOidc: ExternalOidcService | null;
  /** "Sign in with <provider>" on the web sign-in page, when a provider is trusted. */
  externalSignIn: ExternalSignInService | null;
  loginFlows: LoginFlowsService;
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
  graphDirectory: GraphDirectoryService;
  files: FilesService;
  versions: VersionsService;
  trash: TrashService;
  davState: DavStateService;
  chunkedUploads: ChunkedUploadsService;
  tusUploads: TusUploadsService;
  privateData: PrivateDataService;
  userStatus: UserStatusService;
  activity: ActivityService;
  notifications: NotificationsService;
  shares: SharesService;
  sharees: ShareesService;
  publicLinks: PublicLinksService;
  directLinks: DirectLinksService;
  privateLinks: PrivateLinksService;
  graphShares: GraphSharesService;
  graphSharedItems: GraphSharedItemsService;
  spaceShares: SpaceSharesService;
  federation: FederationService;
  avatars: AvatarsService;
  previews: PreviewsService;
  fileSearch: FileSearchService;
  instanceStats: InstanceStatsService;
}

/** How previews are drawn and bounded. */
export interface PreviewMaking {
  renderer: PreviewRenderer;
  settings: PreviewSettings;
}

export function createServices(
  ctx: ServiceContext,
  instance: InstanceInfo,
  uploadStaging: UploadStaging,
  remotes: RemoteServers,
  images: AvatarImages,
  previews: PreviewMaking,
  tusStaging: TusStaging,
  external: { settings: ExternalOidcSettings; client: ExternalIssuerClient } | null = null,
): Services {
  const notifications = new NotificationsService(ctx);
  const federation = new FederationService(ctx, remotes, instance.publicUrl, notifications);
  const offers = new FederatedOffers(ctx, remotes, instance.publicUrl);
  const apps = new AppsService(ctx);
  const dropped = (shares: Share[]) => offers.notifyUnsharedAll(shares);
  const users = new UsersService(ctx, dropped);
  const userEdit = new UserEditService(ctx);
  const groups = new GroupsService(ctx);
  const globalRoles = new GlobalRolesService(ctx);
  const trash = new TrashService(ctx, ctx.blobs);
  const files = new FilesService(ctx, ctx.blobs, dropped, (spaceId) => trash.enforceBound(spaceId));
  const auth = new AuthService(ctx);
  const oidc = new OidcService(ctx, instance.publicUrl);
  const externalOidc = external ? new ExternalOidcService(ctx, external.settings, external.client, users, globalRoles) : null;
  if (ctx.settings.oidc.enabled || externalOidc) auth.acceptJwt(jwtVerifierFor(ctx.settings.oidc.enabled ? oidc : null, externalOidc));
  const appPasswords = new AppPasswordsService(ctx);
  const shares = new SharesService(ctx, notifications, offers);
  const spaceMembers = new SpaceMembersService(ctx);
  const sessions = new SessionsService(ctx, auth);
  return {
    auth,
    sessions,
    externalSignIn: externalOidc && new ExternalSignInService(ctx, externalOidc, auth, sessions, `${instance.publicUrl}/login/oidc/callback`),
    oidc,
    externalOidc,
    loginFlows: new LoginFlowsService(ctx, appPasswords),
    users,
    userEdit,
    memberships: new MembershipsService(ctx),
    groups,
    apps,
    appPasswords,
    passwordPolicy: new PasswordPolicyService(ctx),
    capabilities: new CapabilitiesService(apps, instance),
    globalRoles,
    spaces: new SpacesService(ctx),
    spaceMembers,
    graphDirectory: new GraphDirectoryService(ctx, users, userEdit, groups, globalRoles),
    files,
    versions: new VersionsService(ctx, ctx.blobs),
    trash,
    davState: new DavStateService(ctx),
    chunkedUploads: new ChunkedUploadsService(uploadStaging, ctx.clock),
    tusUploads: new TusUploadsService(tusStaging, ctx.clock, ctx.secrets),
    privateData: new PrivateDataService(ctx),
    userStatus: new UserStatusService(ctx),
    activity: new ActivityService(ctx),
    notifications,
    shares,
    sharees: new ShareesService(ctx, instance.publicUrl),
    publicLinks: new PublicLinksService(ctx),
    directLinks: new DirectLinksService(ctx, files),
    privateLinks: new PrivateLinksService(ctx, files),
    graphShares: new GraphSharesService(ctx, shares),
    graphSharedItems: new GraphSharedItemsService(ctx, federation),
    spaceShares: new SpaceSharesService(ctx, spaceMembers),
    federation,
    avatars: new AvatarsService(ctx, files, images),
    fileSearch: new FileSearchService(ctx),
    previews: new PreviewsService(ctx, files, previews.renderer, previews.settings),
    instanceStats: new InstanceStatsService(ctx),
  };
}
