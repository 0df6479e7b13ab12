import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import { APP_PASSWORD_LENGTH } from './auth.service.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** core/getapppassword and core/apppassword: device tokens that stand in for the real password. */
export class AppPasswordsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Only a real-password login may mint a token, as in Nextcloud; the token is returned once and stored hashed. */
  async create(principal: Principal, name: string): Promise<string> {
    if (principal.method === 'appPassword') fail('forbidden', 'You cannot request an new apppassword with an apppassword', 'appPasswordInUse');
    const token = this.ctx.secrets.token(APP_PASSWORD_LENGTH);
    await this.ctx.repos.appPasswords.insert({
      id: this.ctx.secrets.id(),
      userId: principal.userId,
      name: name.slice(0, 255) || 'App password',
      tokenHash: this.ctx.secrets.digest(token),
      createdAt: this.ctx.clock.now(),
      lastUsedAt: null,
    });
    return token;
  }

  /** Revokes the app password the request was made with (messages are Nextcloud's AppPasswordController's). */
  async revokeCurrent(principal: Principal): Promise<void> {
    if (principal.method !== 'appPassword' || !principal.appPasswordId) {
      fail('forbidden', 'no app password in use', 'appPasswordInUse');
    }
    await this.ctx.repos.appPasswords.delete(principal.appPasswordId!);
  }
}
