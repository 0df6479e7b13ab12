import { passwordPolicyViolation } from '../domain/password-policy.js';
import type { ServiceContext } from './context.js';

const GENERATED_LENGTH = 20;

/** The password_policy module's generate/validate endpoints. */
export class PasswordPolicyService {
  constructor(private readonly ctx: ServiceContext) {}

  async generate(): Promise<string> {
    const policy = await this.ctx.passwordPolicy();
    const length = Math.max(GENERATED_LENGTH, policy?.minLength ?? 0);
    return this.ctx.secrets.token(length);
  }

  async validate(password: string): Promise<{ passed: boolean; reason: string }> {
    const policy = await this.ctx.passwordPolicy();
    const reason = policy ? passwordPolicyViolation(password, policy) : null;
    return { passed: reason === null, reason: reason ?? '' };
  }
}
