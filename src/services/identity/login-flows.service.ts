import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { LoginFlowRecord } from '../../ports/sessions.js';
import type { ServiceContext } from '../../ports/service-context.js';
import type { AppPasswordsService } from './app-passwords.service.js';

/** Nextcloud's Login Flow v2 tokens are 128 characters; a flow lives 20 minutes (LoginFlowV2Service). */
export const FLOW_TOKEN_LENGTH = 128;
const FLOW_TTL_MS = 20 * 60 * 1000;
const FLOW_TOKEN = /^[A-Za-z0-9]{128}$/;
// Unknown poll tokens from one address before it is refused (as direct links count them).
const POLL_FAILURE_FACTOR = 10;

const NOT_FOUND = 'The login flow does not exist or has expired';

export interface GrantedV1 {
  loginName: string;
  appPassword: string;
}

/**
 * Login Flow v2 (a client starts a flow, the user grants it in the browser,
 * the client polls once for its new app password) and v1 (the grant ends
 * in a redirect to nc://login/… carrying it). Every step may land on any
 * process: the flow is a row. The app password is encrypted to the flow's
 * public key and the private key sealed with the poll token, so only the
 * client that started the flow can read it.
 */
export class LoginFlowsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly appPasswords: AppPasswordsService,
  ) {}

  async startV2(clientName: string): Promise<{ pollToken: string; loginToken: string }> {
    const pollToken = this.ctx.secrets.token(FLOW_TOKEN_LENGTH);
    const loginToken = this.ctx.secrets.token(FLOW_TOKEN_LENGTH);
    const keys = this.ctx.secrets.keyPair();
    await this.insert({ loginToken, pollHash: this.ctx.secrets.digest(pollToken), version: 2, clientName, publicKey: keys.publicKey, sealedPrivateKey: this.ctx.secrets.seal(pollToken, keys.privateKey) });
    return { pollToken, loginToken };
  }

  async startV1(clientName: string): Promise<{ loginToken: string }> {
    const loginToken = this.ctx.secrets.token(FLOW_TOKEN_LENGTH);
    await this.insert({ loginToken, pollHash: null, version: 1, clientName, publicKey: '', sealedPrivateKey: null });
    return { loginToken };
  }

  /** The client a flow is for, while it waits for the user's grant. */
  async pending(loginToken: string): Promise<{ clientName: string; version: 1 | 2 }> {
    const flow = await this.live(loginToken);
    if (flow.loginName !== null) fail('notFound', NOT_FOUND, 'loginFlowNotFound');
    return { clientName: flow.clientName, version: flow.version };
  }

  /**
   * The signed-in user grants the client access: a new app password named
   * after the client. v2 keeps it, encrypted, for the poll; v1 hands it back
   * for the redirect and the flow ends here.
   */
  async grant(principal: Principal, loginToken: string): Promise<{ version: 1 | 2 } & Partial<GrantedV1>> {
    const flow = await this.live(loginToken);
    if (flow.loginName !== null) fail('notFound', NOT_FOUND, 'loginFlowNotFound');
    const appPassword = await this.appPasswords.create(principal, flow.clientName);
    if (flow.version === 1) {
      if (!(await this.ctx.repos.loginFlows.take(flow.id))) fail('notFound', NOT_FOUND, 'loginFlowNotFound');
      return { version: 1, loginName: principal.userId, appPassword };
    }
    if (!(await this.ctx.repos.loginFlows.grant(flow.id, principal.userId, this.ctx.secrets.encryptFor(flow.publicKey, appPassword)))) {
      fail('notFound', NOT_FOUND, 'loginFlowNotFound');
    }
    return { version: 2 };
  }

  /**
   * POST /login/v2/poll: null until the flow is granted, then its
   * credentials exactly once. Unknown tokens count against the address,
   * and past the limit every poll from it is refused.
   */
  async poll(pollToken: string, address: string): Promise<GrantedV1 | null> {
    const now = this.ctx.clock.now();
    const key = `login-flow:${address}`;
    const failures = await this.ctx.repos.loginFailures.countSince(key, null, now - this.ctx.settings.loginFailureWindowMs);
    if (failures >= this.ctx.settings.loginMaxFailures * POLL_FAILURE_FACTOR) fail('tooManyRequests', 'Reached maximum delay', 'throttled');
    const flow = FLOW_TOKEN.test(pollToken) ? await this.ctx.repos.loginFlows.byPollHash(this.ctx.secrets.digest(pollToken)) : undefined;
    if (!flow) {
      await this.ctx.repos.loginFailures.record(key, '', now);
      return null;
    }
    if (flow.expiresAt <= now) {
      await this.ctx.repos.loginFlows.take(flow.id);
      return null;
    }
    if (flow.loginName === null || !flow.sealedPassword || !flow.sealedPrivateKey) return null;
    const privateKey = this.ctx.secrets.unseal(pollToken, flow.sealedPrivateKey);
    const appPassword = privateKey ? this.ctx.secrets.decryptWith(privateKey, flow.sealedPassword) : null;
    // Answered once: a second poll (here or on another process) finds nothing.
    if (!appPassword || !(await this.ctx.repos.loginFlows.take(flow.id))) return null;
    return { loginName: flow.loginName, appPassword };
  }

  private async insert(f: { loginToken: string; pollHash: string | null; version: 1 | 2; clientName: string; publicKey: string; sealedPrivateKey: string | null }): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.repos.loginFlows.pruneExpired(now);
    const flow: LoginFlowRecord = {
      id: this.ctx.secrets.id(),
      loginHash: this.ctx.secrets.digest(f.loginToken),
      pollHash: f.pollHash,
      version: f.version,
      clientName: f.clientName.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255) || 'Unknown client',
      publicKey: f.publicKey,
      sealedPrivateKey: f.sealedPrivateKey,
      loginName: null,
      sealedPassword: null,
      createdAt: now,
      expiresAt: now + FLOW_TTL_MS,
    };
    await this.ctx.repos.loginFlows.insert(flow);
  }

  private async live(loginToken: string): Promise<LoginFlowRecord> {
    const flow = FLOW_TOKEN.test(loginToken) ? await this.ctx.repos.loginFlows.byLoginHash(this.ctx.secrets.digest(loginToken)) : undefined;
    if (!flow || flow.expiresAt <= this.ctx.clock.now()) fail('notFound', NOT_FOUND, 'loginFlowNotFound');
    return flow!;
  }
}
