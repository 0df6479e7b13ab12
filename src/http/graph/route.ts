import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorReason } from '../../domain/errors.js';
import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { Services } from '../../services/index.js';
import type { GraphWording } from './error-wording.js';
import { stringifyGraph } from './json.js';

export type GraphVersion = 'v1.0' | 'v1beta1';

/** What every Graph route needs to render absolute URLs and ids. */
export interface GraphEnv {
  /** Public base URL without a trailing slash, e.g. https://cloud.example.com */
  publicUrl: string;
  /** The storage part of every drive and item id (`<storageId>$<spaceId>!<nodeId>`). */
  storageId: string;
}

export interface GraphCall {
  request: FastifyRequest;
  reply: FastifyReply;
  version: GraphVersion;
  principal: Principal | null;
  /** The caller's user id; 401 unauthenticated when there is none. */
  userId(): string;
  params: Record<string, string>;
  /** One value per option: an option given twice is refused before any route runs. */
  query: Record<string, string | undefined>;
  body: unknown;
  env: GraphEnv;
}

/** A handler returns the JSON body (200), or an explicit status with an optional body (e.g. 201, 204). */
export type GraphResult = unknown | { status: number; body?: unknown; headers?: Record<string, string> };
export const created = (body: unknown): GraphResult => ({ status: 201, body });
export const noContent = (): GraphResult => ({ status: 204 });
const isExplicit = (r: unknown): r is { status: number; body?: unknown; headers?: Record<string, string> } =>
  typeof r === 'object' && r !== null && 'status' in r && typeof (r as { status: unknown }).status === 'number' && Object.keys(r).every((k) => ['status', 'body', 'headers'].includes(k));

export interface GraphRouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  /** Defaults to true: anonymous callers get 401 unauthenticated. */
  auth?: boolean;
  errors?: Partial<Record<ErrorReason, GraphWording>>;
  handler: (call: GraphCall) => Promise<GraphResult> | GraphResult;
}

export type GraphRoutes = (app: FastifyInstance, services: Services, version: GraphVersion, env: GraphEnv) => void;

declare module 'fastify' {
  interface FastifyContextConfig {
    graphAuth?: boolean;
  }
}

export function graphRoute(app: FastifyInstance, version: GraphVersion, env: GraphEnv, spec: GraphRouteSpec): void {
  app.route({
    method: spec.method,
    url: spec.url,
    config: { graphAuth: spec.auth ?? true, graphErrors: spec.errors ?? {} },
    handler: async (request, reply) => {
      const principal = request.principal;
      const result = await spec.handler({
        request,
        reply,
        version,
        principal,
        userId: () => principal?.userId ?? fail('unauthenticated', 'Unauthorized'),
        params: (request.params ?? {}) as Record<string, string>,
        query: (request.query ?? {}) as Record<string, string | undefined>,
        body: request.body,
        env,
      });
      if (isExplicit(result)) {
        if (result.headers) reply.headers(result.headers);
        reply.code(result.status);
        if (result.body === undefined) return reply.send();
        return reply.type('application/json; charset=utf-8').send(stringifyGraph(result.body));
      }
      return reply.code(200).type('application/json; charset=utf-8').send(stringifyGraph(result));
    },
  });
}
