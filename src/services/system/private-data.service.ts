import { fail } from '../../domain/errors.js';
import type { PrivateDataEntry } from '../../ports/repositories.js';
import type { ServiceContext } from '../../ports/service-context.js';

/** Store names and keys are path segments of at most 255 characters; values up to 64 KiB. */
const MAX_NAME = 255;
const MAX_VALUE_BYTES = 64 * 1024;

function checkName(what: string, v: string): void {
  if (v === '' || v.length > MAX_NAME) fail('invalidInput', `${what} must be 1 to ${MAX_NAME} characters`, 'missingParameter');
}

/** PRIVATE_DATA (seed 004): each user's own key-value stores; nobody else's are reachable. */
export class PrivateDataService {
  constructor(private readonly ctx: ServiceContext) {}

  async get(userId: string, app?: string, key?: string): Promise<PrivateDataEntry[]> {
    return this.ctx.repos.privateData.list(userId, app, key);
  }

  async set(userId: string, app: string, key: string, value: string | undefined): Promise<void> {
    checkName('Store name', app);
    checkName('Key', key);
    if (value === undefined) fail('invalidInput', 'The value parameter is missing', 'missingParameter');
    if (Buffer.byteLength(value!, 'utf8') > MAX_VALUE_BYTES) fail('invalidInput', `The value may be at most ${MAX_VALUE_BYTES} bytes`, 'missingParameter');
    await this.ctx.repos.privateData.set(userId, { app, key, value: value! });
  }

  async remove(userId: string, app: string, key: string): Promise<void> {
    await this.ctx.repos.privateData.remove(userId, app, key);
  }
}
