import type { Command } from 'commander';
import { OPERATOR_ID } from '../../domain/access.js';
import { type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption, printRecords } from '../output.js';
import { withCore } from '../runtime.js';

export function registerGroupCommands(program: Command, io: CliIo): void {
  program
    .command('group:add')
    .description('create a group')
    .argument('<group>', 'group id')
    .option('--display-name <name>', 'display name (defaults to the group id)')
    .action(async (groupId: string, opts: { displayName?: string }) => {
      await withCore(io, async ({ services }) => {
        await services.groups.create(OPERATOR_ID, groupId, opts.displayName);
        write(io.stdout, `created group ${groupId}`);
      });
    });

  program
    .command('group:list')
    .description('list groups with their members')
    .addOption(outputOption())
    .action(async (opts: { output: OutputFormat }) => {
      await withCore(io, async ({ services }) => {
        const groups = await services.groups.details(OPERATOR_ID, {});
        const records = [];
        for (const g of groups) {
          records.push({ id: g.id, displayName: g.displayName, members: await services.groups.members(OPERATOR_ID, g.id) });
        }
        printRecords(io, opts.output, records, [
          ['ID', (r) => r.id],
          ['DISPLAY NAME', (r) => r.displayName],
          ['MEMBERS', (r) => r.members.join(',')],
        ]);
      });
    });

  program
    .command('group:adduser')
    .description('add a user to a group')
    .argument('<group>', 'group id')
    .argument('<user>', 'user id')
    .action(async (groupId: string, userId: string) => {
      await withCore(io, async ({ services }) => {
        await services.memberships.addToGroup(OPERATOR_ID, userId, groupId);
        write(io.stdout, `added ${userId} to ${groupId}`);
      });
    });

  program
    .command('group:removeuser')
    .description('remove a user from a group')
    .argument('<group>', 'group id')
    .argument('<user>', 'user id')
    .action(async (groupId: string, userId: string) => {
      await withCore(io, async ({ services }) => {
        await services.memberships.removeFromGroup(OPERATOR_ID, userId, groupId);
        write(io.stdout, `removed ${userId} from ${groupId}`);
      });
    });
}
