import type { FastifyInstance } from 'fastify';
import type { RemoteShare } from '../../../domain/federation.js';
import { fail } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

/** A remote share as Nextcloud's RemoteController lists it (a share_external row). */
export function remoteShareJson(r: RemoteShare): Record<string, unknown> {
  return {
    id: Number(r.id),
    share_type: 0,
    parent: -1,
    remote: r.remote,
    remote_id: r.remoteId,
    share_token: r.token,
    name: `/${r.name}`,
    owner: r.owner,
    user: r.userId,
    mountpoint: r.accepted && r.mountName ? `/${r.mountName}` : `{{TemporaryMountPointName#/${r.name}}}`,
    accepted: r.accepted ? 1 : 0,
  };
}

const token = (params: Record<string, unknown>): string => {
  const t = str(params, 'token');
  if (!t) fail('invalidInput', 'Required parameters are missing: token');
  return t!;
};

/**
 * Federated sharing, server to server (seed 004 FEDERATED_SHARING; the
 * /cloud/shares routes of Nextcloud's federatedfilesharing): public, no CSRF
 * header, 503 while incoming federation is off. Notifications answer
 * success whatever they named, so they reveal nothing about our shares.
 */
export function federationRoutes(fastify: FastifyInstance, s: Services): void {
  const serverToServer = { auth: 'public' as const, csrf: false };
  ocsRoute(fastify, {
    ...serverToServer,
    method: 'POST',
    url: '/cloud/shares',
    handler: async (c) => {
      const p = c.params;
      await s.federation.receive({
        shareWith: str(p, 'shareWith'),
        token: str(p, 'token'),
        name: str(p, 'name'),
        remoteId: str(p, 'remoteId'),
        owner: str(p, 'owner'),
        ownerFederatedId: str(p, 'ownerFederatedId'),
        sharedBy: str(p, 'sharedBy'),
        sharedByFederatedId: str(p, 'sharedByFederatedId'),
        remote: str(p, 'remote'),
      });
      return ok([]);
    },
  });
  for (const notice of ['accept', 'decline'] as const) {
    ocsRoute(fastify, {
      ...serverToServer,
      method: 'POST',
      url: `/cloud/shares/:id/${notice}`,
      handler: async (c) => {
        s.federation.assertIncoming();
        await s.shares.onRemoteAnswer(c.path.id!, token(c.params), notice);
        return ok([]);
      },
    });
  }
  ocsRoute(fastify, {
    ...serverToServer,
    method: 'POST',
    url: '/cloud/shares/:id/unshare',
    handler: async (c) => {
      s.federation.assertIncoming();
      await s.federation.onOwnerUnshared(c.path.id!, token(c.params));
      return ok([]);
    },
  });
}

/** The recipient's side (Nextcloud's files_sharing RemoteController): list, accept, decline and remove remote shares. */
export function remoteSharesRoutes(fastify: FastifyInstance, s: Services): void {
  const BASE = '/apps/files_sharing/api/v1/remote_shares';
  ocsRoute(fastify, { method: 'GET', url: BASE, handler: async (c) => ok((await s.federation.list(c.userId(), true)).map(remoteShareJson)) });
  ocsRoute(fastify, { method: 'GET', url: `${BASE}/pending`, handler: async (c) => ok((await s.federation.list(c.userId(), false)).map(remoteShareJson)) });
  ocsRoute(fastify, {
    method: 'POST',
    url: `${BASE}/pending/:id`,
    handler: async (c) => {
      await s.federation.accept(c.userId(), c.path.id!);
      return ok([]);
    },
  });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: `${BASE}/pending/:id`,
    handler: async (c) => {
      await s.federation.remove(c.userId(), c.path.id!, true);
      return ok([]);
    },
  });
  ocsRoute(fastify, { method: 'GET', url: `${BASE}/:id`, handler: async (c) => ok(remoteShareJson(await s.federation.get(c.userId(), c.path.id!))) });
  ocsRoute(fastify, {
    method: 'DELETE',
    url: `${BASE}/:id`,
    handler: async (c) => {
      await s.federation.remove(c.userId(), c.path.id!, false);
      return ok([]);
    },
  });
}
