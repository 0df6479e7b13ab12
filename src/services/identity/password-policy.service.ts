import { passwordPolicyViolation } from '../../domain/password-policy.js';
import type { ServiceContext } from '../../ports/service-context.js';

const GENERATED_LENGTH = 20;

/** The password_policy module's generate/validate endpoints. */
export class PasswordPolicyService {
  constructor(private readonly ctx: ServiceContext) {}

  async generate(): Promise<string> {
    const policy = await this.ctx.passwordPolicy();
    const length = Math.max(GENERATED_LENGTH, policy?.minLength ?? 0);
    return this.ctx.secrets.token(length);
  }

  /** Nextcloud's APIController::validate: `{passed: true}` alone, or `{passed: false, reason}`. */
  async validate(password: string): Promise<{ passed: true } | { passed: false; reason: string }> {
    const policy = await this.ctx.passwordPolicy();
    const reason = policy ? passwordPolicyViolation(password, policy) : null;
    return reason === null ? { passed: true } : { passed: false, reason };
  }
}
