import { type Command, InvalidArgumentError } from 'commander';
import { OPERATOR_ID } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import { assertValidGroupId } from '../../domain/group.js';
import { humanSize, normaliseQuota } from '../../domain/quota.js';
import type { UserDetails } from '../../services/identity/users.service.js';
import { type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption, printRecord, printRecords } from '../output.js';
import { PASSWORD_ENV, readNewPassword } from '../password-input.js';
import { withCore } from '../runtime.js';

const GENERATED_PASSWORD_LENGTH = 24;

/** `10 GB`, `512MB`, a byte count, `none` or `default`: checked while parsing, so a bad value is a usage error. */
export function quotaArgument(value: string): string {
  try {
    return normaliseQuota(value);
  } catch {
    throw new InvalidArgumentError('expected a size such as "10 GB", a byte count, "none" or "default"');
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function userRecord(d: UserDetails): Record<string, unknown> {
  return {
    id: d.user.id,
    displayName: d.user.displayName,
    email: d.user.email,
    enabled: d.user.enabled,
    groups: d.groups,
    subadminOf: d.subadminOf,
    quota: d.user.quota,
    used: d.quota.used,
    limit: d.quota.total < 0 ? null : d.quota.total,
    language: d.user.language,
    createdAt: new Date(d.user.createdAt).toISOString(),
    lastLoginAt: d.user.lastLoginAt ? new Date(d.user.lastLoginAt).toISOString() : null,
  };
}

export function registerUserCommands(program: Command, io: CliIo): void {
  program
    .command('user:add')
    .description(`create a user; the password is typed at a prompt, read from stdin, taken from ${PASSWORD_ENV} (--password-from-env) or generated`)
    .argument('<user>', 'user id (letters, digits, spaces and _ . @ - \')')
    .option('--display-name <name>', 'display name (defaults to the user id)')
    .option('--email <address>', 'email address')
    .option('-g, --group <group>', 'add to this group, created if it does not exist (repeatable)', collect, [])
    .option('--quota <size>', 'quota, e.g. "10 GB" or "none"', quotaArgument)
    .option('--password-from-env', `read the password from ${PASSWORD_ENV}`)
    .option('--generate-password', 'generate a strong password and print it once')
    .action(async (userId: string, opts: { displayName?: string; email?: string; group: string[]; quota?: string; passwordFromEnv?: boolean; generatePassword?: boolean }) => {
      // Group names are checked first, so that a bad one leaves no user behind.
      for (const groupId of opts.group) assertValidGroupId(groupId);
      await withCore(io, async ({ services, ctx }) => {
        const password = opts.generatePassword ? ctx.secrets.token(GENERATED_PASSWORD_LENGTH) : await readNewPassword(io, { fromEnv: opts.passwordFromEnv });
        await services.users.create(OPERATOR_ID, { userId, password, displayName: opts.displayName, email: opts.email, quota: opts.quota });
        write(io.stdout, `created user ${userId}`);
        if (opts.generatePassword) write(io.stdout, `password: ${password}`);
        // As occ user:add --group: a group that does not exist yet is created (nextcloud/server core/Command/User/Add.php).
        for (const groupId of opts.group) {
          if (await createGroupIfMissing(services.groups, groupId)) write(io.stdout, `created group ${groupId}`);
          await services.memberships.addToGroup(OPERATOR_ID, userId, groupId);
          write(io.stdout, `added ${userId} to ${groupId}`);
        }
      });
    });

  program
    .command('user:list')
    .description('list users')
    .addOption(outputOption())
    .action(async (opts: { output: OutputFormat }) => {
      await withCore(io, async ({ services }) => {
        const ids = await services.users.list(OPERATOR_ID, {});
        const records = [];
        for (const id of ids) records.push(userRecord(await services.users.details(OPERATOR_ID, id)));
        printRecords(io, opts.output, records, [
          ['ID', (r) => r.id as string],
          ['DISPLAY NAME', (r) => r.displayName as string],
          ['EMAIL', (r) => r.email as string | null],
          ['ENABLED', (r) => (r.enabled ? 'yes' : 'no')],
          ['GROUPS', (r) => (r.groups as string[]).join(',')],
          ['USED', (r) => humanSize(r.used as number)],
          ['QUOTA', (r) => (r.limit === null ? 'none' : humanSize(r.limit as number))],
        ]);
      });
    });

  program
    .command('user:info')
    .description('show one user: groups, quota and usage, sessions and app passwords')
    .argument('<user>', 'user id')
    .addOption(outputOption())
    .action(async (userId: string, opts: { output: OutputFormat }) => {
      await withCore(io, async ({ services }) => {
        const details = await services.users.details(OPERATOR_ID, userId);
        const devices = await services.sessions.devices(details.user.id);
        printRecord(io, opts.output, {
          ...userRecord(details),
          sessions: devices.filter((d) => d.kind === 'session').length,
          appPasswords: devices.filter((d) => d.kind === 'appPassword').length,
        });
      });
    });

  program
    .command('user:reset-password')
    .description(`set a new password (prompt, stdin, ${PASSWORD_ENV} or generated); signed-in browsers of the user must sign in again`)
    .argument('<user>', 'user id')
    .option('--password-from-env', `read the password from ${PASSWORD_ENV}`)
    .option('--generate-password', 'generate a strong password and print it once')
    .action(async (userId: string, opts: { passwordFromEnv?: boolean; generatePassword?: boolean }) => {
      await withCore(io, async ({ services, ctx }) => {
        // Fails on an unknown user before asking for a password.
        await services.users.details(OPERATOR_ID, userId);
        const password = opts.generatePassword ? ctx.secrets.token(GENERATED_PASSWORD_LENGTH) : await readNewPassword(io, { fromEnv: opts.passwordFromEnv });
        await services.userEdit.edit(OPERATOR_ID, userId, 'password', password);
        write(io.stdout, `password of ${userId} changed`);
        if (opts.generatePassword) write(io.stdout, `password: ${password}`);
      });
    });

  for (const enabled of [false, true]) {
    program
      .command(enabled ? 'user:enable' : 'user:disable')
      .description(enabled ? 'allow a disabled user to sign in again' : 'stop a user from signing in (their files and shares stay)')
      .argument('<user>', 'user id')
      .action(async (userId: string) => {
        await withCore(io, async ({ services }) => {
          await services.users.setEnabled(OPERATOR_ID, userId, enabled);
          write(io.stdout, `${enabled ? 'enabled' : 'disabled'} user ${userId}`);
        });
      });
  }

  program
    .command('user:delete')
    .description('delete a user with their personal space, files and shares')
    .argument('<user>', 'user id')
    .action(async (userId: string) => {
      await withCore(io, async ({ services }) => {
        await services.users.delete(OPERATOR_ID, userId);
        write(io.stdout, `deleted user ${userId}`);
      });
    });

  program
    .command('user:sessions:revoke')
    .description('sign a user out everywhere: every browser session and every app password')
    .argument('<user>', 'user id')
    .action(async (userId: string) => {
      await withCore(io, async ({ services }) => {
        const { sessions, appPasswords } = await services.sessions.revokeAllOf(OPERATOR_ID, userId);
        write(io.stdout, `revoked ${sessions} session(s) and ${appPasswords} app password(s) of ${userId}`);
      });
    });

  program
    .command('user:quota')
    .description('show a user\'s quota and usage, or set it')
    .argument('<user>', 'user id')
    .argument('[quota]', 'new quota, e.g. "10 GB", a byte count, "none" or "default"', quotaArgument)
    .addOption(outputOption())
    .action(async (userId: string, quota: string | undefined, opts: { output: OutputFormat }) => {
      await withCore(io, async ({ services }) => {
        if (quota !== undefined) await services.userEdit.edit(OPERATOR_ID, userId, 'quota', quota);
        const d = await services.users.details(OPERATOR_ID, userId);
        printRecord(io, opts.output, { id: d.user.id, quota: d.user.quota, used: d.quota.used, limit: d.quota.total < 0 ? null : d.quota.total, free: d.quota.free < 0 ? null : d.quota.free });
      });
    });
}

/** True when the group was made here; false when it was there already. */
async function createGroupIfMissing(groups: { create(callerId: string, groupId: string): Promise<void> }, groupId: string): Promise<boolean> {
  try {
    await groups.create(OPERATOR_ID, groupId);
    return true;
  } catch (err) {
    if (err instanceof DomainError && err.reason === 'groupExists') return false;
    throw err;
  }
}
