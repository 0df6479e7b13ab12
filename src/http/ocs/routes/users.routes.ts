import type { FastifyInstance } from 'fastify';
import { DomainError, fail } from '../../../domain/errors.js';
import type { Services } from '../../../services/index.js';
import { int, str, strList } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';
import { renderUserData } from '../user-data.js';

const app = 'provisioning_api';

/** cloud/users and cloud/user: Nextcloud's UsersController, with its per-route status codes. */
export function usersRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/users',
    app,
    handler: async (c) => {
      const users = await s.users.list(c.userId(), pageOf(c.params));
      return ok({ users });
    },
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/users/details',
    app,
    handler: async (c) => {
      const ids = await s.users.list(c.userId(), pageOf(c.params));
      return ok({ users: await detailsMap(s, c.userId(), ids) });
    },
  });

  ocsRoute(fastify, {
    method: 'POST',
    url: '/cloud/users',
    app,
    codes: {
      userExists: 102,
      groupNotFound: 104,
      groupPrivilege: 105,
      noGroupForSubadmin: 106,
      subadminGroupNotFound: 102,
      adminGroup: 103,
      passwordTooLong: 101,
      passwordRequired: 108,
      passwordPolicy: 107,
      invalidUserId: 101,
      invalidEmail: 101,
      invalidQuota: 102,
      invalidLanguage: 102,
      invalidField: 101,
    },
    handler: async (c) => {
      const id = await s.users.create(c.userId(), {
        userId: str(c.params, 'userid') ?? '',
        password: str(c.params, 'password'),
        displayName: str(c.params, 'displayName') ?? str(c.params, 'displayname'),
        email: str(c.params, 'email'),
        groups: strList(c.params, 'groups'),
        subadmin: strList(c.params, 'subadmin'),
        quota: str(c.params, 'quota'),
        language: str(c.params, 'language'),
      });
      return ok({ id });
    },
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/user',
    app,
    handler: async (c) => ok(renderUserData(await s.users.self(c.userId()))),
  });

  ocsRoute(fastify, {
    method: 'GET',
    url: '/cloud/users/:userId',
    app,
    codes: { hiddenUser: 998 },
    handler: async (c) => ok(renderUserData(await s.users.details(c.userId(), c.path.userId!))),
  });

  ocsRoute(fastify, {
    method: 'PUT',
    url: '/cloud/users/:userId',
    app,
    codes: {
      userNotFound: 998,
      hiddenUser: 998,
      fieldNotEditable: 113,
      invalidQuota: 102,
      invalidEmail: 101,
      invalidLanguage: 102,
      invalidLocale: 102,
      invalidField: 101,
      passwordTooLong: 102,
      passwordPolicy: 107,
      missingParameter: 101,
    },
    handler: async (c) => {
      const key = str(c.params, 'key');
      const value = str(c.params, 'value');
      if (!key || value === undefined) fail('invalidInput', 'Both key and value are required', 'missingParameter');
      await s.userEdit.edit(c.userId(), c.path.userId!, key!, value!);
      return ok();
    },
  });

  ocsRoute(fastify, {
    method: 'DELETE',
    url: '/cloud/users/:userId',
    app,
    codes: { hiddenUser: 998, userNotFound: 998, selfOperation: 101 },
    handler: async (c) => {
      await s.users.delete(c.userId(), c.path.userId!);
      return ok();
    },
  });

  for (const action of ['enable', 'disable'] as const) {
    ocsRoute(fastify, {
      method: 'PUT',
      url: `/cloud/users/:userId/${action}`,
      app,
      codes: { selfOperation: 101, hiddenUser: 998 },
      handler: async (c) => {
        await s.users.setEnabled(c.userId(), c.path.userId!, action === 'enable');
        return ok();
      },
    });
  }
}

export function pageOf(p: Record<string, unknown>): { search?: string; limit?: number; offset?: number } {
  return { search: str(p, 'search') || undefined, limit: int(p, 'limit'), offset: int(p, 'offset') };
}

/**
 * users/details: an object keyed by uid; entries the caller may not see carry
 * only their id. Nextcloud builds these without scope fields, even for the caller's own entry.
 */
export async function detailsMap(s: Services, callerId: string, ids: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    try {
      out[id] = renderUserData({ ...(await s.users.details(callerId, id)), isSelf: false });
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'notFound') throw e;
      out[id] = { id };
    }
  }
  return out;
}
