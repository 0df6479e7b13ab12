import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorReason } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { Services } from '../../services/index.js';
import { fail } from '../../domain/errors.js';
import { mergeParams, type Params } from '../common/params.js';
import type { OcsResult, OcsVersion } from './envelope.js';

export interface OcsRouteConfig {
  /** 'user': a logged-in user is required; 'public': anonymous callers are served too. */
  auth: 'user' | 'public';
  /** Nextcloud's CSRF rule: Basic-authenticated calls need the OCS-APIRequest header. Off for NoCSRFRequired routes. */
  csrf: boolean;
  /** The module whose routes these are; when it is disabled the route answers as unknown. Core routes have none. */
  app?: string;
  /** Raw OCS status per domain reason, for this route's documented codes. */
  codes: Partial<Record<ErrorReason, number>>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    ocs?: OcsRouteConfig;
  }
  interface FastifyRequest {
    principal: Principal | null;
    ocsVersion: OcsVersion;
  }
}

export interface OcsCall {
  request: FastifyRequest;
  reply: FastifyReply;
  params: Params;
  /** Route parameters, URL-decoded once by the router. */
  path: Record<string, string>;
  principal: Principal | null;
  /** The logged-in user's id; throws 997 on routes that allow anonymous callers. */
  userId(): string;
}

export type OcsHandler = (call: OcsCall) => Promise<OcsResult | void> | OcsResult | void;

export interface OcsRouteSpec extends Partial<OcsRouteConfig> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  handler: OcsHandler;
}

export type OcsRoutes = (app: FastifyInstance, services: Services) => void;

export const ok = (data?: unknown, extra: Omit<OcsResult, 'status' | 'data'> = {}): OcsResult => ({ status: 200, data, ...extra });

/** Registers one OCS route; the plugin's hooks read `config.ocs` to authenticate, check CSRF and gate the module. */
export function ocsRoute(app: FastifyInstance, spec: OcsRouteSpec): void {
  const config: OcsRouteConfig = {
    auth: spec.auth ?? 'user',
    csrf: spec.csrf ?? (spec.auth ?? 'user') === 'user',
    app: spec.app,
    codes: spec.codes ?? {},
  };
  app.route({
    method: spec.method,
    url: spec.url,
    config: { ocs: config },
    handler: async (request, reply) => {
      const principal = request.principal;
      const call: OcsCall = {
        request,
        reply,
        params: mergeParams(request.query, request.body),
        path: (request.params ?? {}) as Record<string, string>,
        principal,
        userId: () => principal?.userId ?? fail('unauthenticated', 'Current user is not logged in'),
      };
      const result = await spec.handler(call);
      // A handler that answered without an envelope (a 204) has sent its reply.
      if (reply.sent) return reply;
      return reply.ocs(result ?? ok());
    },
  });
}
