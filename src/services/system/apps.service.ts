import { type AppInfo, APPS, findApp } from '../../domain/apps.js';
import { fail } from '../../domain/errors.js';
import type { Clock } from '../../ports/system.js';
import type { AppStateRepository } from '../../ports/repositories.js';
import { loadActor } from '../access/actor.js';
import type { ServiceContext } from '../../ports/service-context.js';
import { requireAdmin } from '../identity/users.service.js';

// Other processes may toggle an app; a short TTL bounds how long this one lags.
const STATE_TTL_MS = 2000;

/** Which of the server's modules are on. Route guards ask isEnabled() on every request. */
export class AppsService {
  private cached: { states: Map<string, boolean>; at: number } | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly states: AppStateRepository = ctx.repos.appStates,
    private readonly clock: Clock = ctx.clock,
  ) {}

  async isEnabled(appId: string): Promise<boolean> {
    const app = findApp(appId);
    if (!app) return false;
    if (app.alwaysEnabled) return true;
    const now = this.clock.now();
    if (!this.cached || now - this.cached.at > STATE_TTL_MS) {
      this.cached = { states: await this.states.all(), at: now };
    }
    return this.cached.states.get(appId) ?? app.defaultEnabled;
  }

  async list(callerId: string, filter?: string): Promise<string[]> {
    requireAdmin(await loadActor(this.ctx.repos, callerId));
    if (filter !== undefined && filter !== 'enabled' && filter !== 'disabled') fail('invalidInput', 'Invalid filter', 'invalidFilter');
    const out: string[] = [];
    for (const app of APPS) {
      const on = await this.isEnabled(app.id);
      if (filter === undefined || (filter === 'enabled') === on) out.push(app.id);
    }
    return out;
  }

  async info(callerId: string, appId: string): Promise<AppInfo & { enabled: boolean }> {
    requireAdmin(await loadActor(this.ctx.repos, callerId));
    const app = findApp(appId);
    if (!app) fail('notFound', 'The request app was not found', 'appNotFound');
    return { ...app!, enabled: await this.isEnabled(app!.id) };
  }

  async setEnabled(callerId: string, appId: string, enabled: boolean): Promise<void> {
    requireAdmin(await loadActor(this.ctx.repos, callerId));
    const app = findApp(appId);
    if (!app) fail('notFound', 'The request app was not found', 'appNotFound');
    if (app!.alwaysEnabled && !enabled) fail('forbidden', `${app!.id} can't be disabled.`, 'appAlwaysEnabled');
    await this.states.set(app!.id, enabled);
    this.cached = null;
  }
}
