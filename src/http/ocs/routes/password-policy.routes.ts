import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../services/index.js';
import { str } from '../../common/params.js';
import { ok, ocsRoute } from '../route.js';

const app = 'password_policy';

export function passwordPolicyRoutes(fastify: FastifyInstance, s: Services): void {
  ocsRoute(fastify, {
    method: 'GET',
    url: '/apps/password_policy/api/v1/generate',
    app,
    handler: async () => ok({ password: await s.passwordPolicy.generate() }),
  });
  ocsRoute(fastify, {
    method: 'POST',
    url: '/apps/password_policy/api/v1/validate',
    app,
    handler: async (c) => ok(await s.passwordPolicy.validate(str(c.params, 'password') ?? '')),
  });
}
