import type { ServiceContext } from '../../ports/service-context.js';

/** Instance-wide figures for monitoring (gauges of the metrics endpoint): one cheap query each. */
export class InstanceStatsService {
  constructor(private readonly ctx: ServiceContext) {}

  users(): Promise<number> {
    return this.ctx.repos.users.count();
  }
}
