import { type Command, InvalidArgumentError, Option } from 'commander';
import { OPERATOR_ID } from '../../domain/access.js';
import { humanSize, parseHumanSize } from '../../domain/quota.js';
import { type CliIo, write } from '../io.js';
import { type OutputFormat, outputOption, printRecords } from '../output.js';
import { withCore } from '../runtime.js';

/** A space quota in bytes; `none` (or 0) lifts it. */
function spaceQuotaArgument(value: string): number {
  if (['none', 'unlimited', '0'].includes(value.trim().toLowerCase())) return 0;
  const bytes = parseHumanSize(value);
  if (bytes === null || bytes < 0) throw new InvalidArgumentError('expected a size such as "10 GB", a byte count or "none"');
  return bytes;
}

export function registerSpaceCommands(program: Command, io: CliIo): void {
  program
    .command('space:list')
    .description('list every space (personal and project, disabled ones too) with its usage and quota')
    .addOption(new Option('--type <type>', 'only personal or project spaces').choices(['personal', 'project']))
    .addOption(outputOption())
    .action(async (opts: { output: OutputFormat; type?: string }) => {
      await withCore(io, async ({ services }) => {
        const { views } = await services.spaces.listAll(OPERATOR_ID);
        const records = views
          .filter((v) => !opts.type || v.space.type === opts.type)
          .map(({ space, quotaLimit, members }) => ({
            id: space.id,
            type: space.type,
            name: space.name,
            owner: space.type === 'personal' ? space.ownerId : null,
            members: members.length,
            used: space.size,
            quota: quotaLimit,
            disabled: space.disabledAt !== null,
          }));
        printRecords(io, opts.output, records, [
          ['ID', (r) => r.id],
          ['TYPE', (r) => r.type],
          ['NAME', (r) => r.name],
          ['USED', (r) => humanSize(r.used)],
          ['QUOTA', (r) => (r.quota === null ? 'none' : humanSize(r.quota))],
          ['MEMBERS', (r) => r.members],
          ['DISABLED', (r) => (r.disabled ? 'yes' : 'no')],
        ]);
      });
    });

  program
    .command('space:quota')
    .description("set a space's quota (a personal space's quota is its owner's)")
    .argument('<space>', 'space id (from space:list)')
    .argument('<quota>', 'e.g. "10 GB", a byte count, or "none"', spaceQuotaArgument)
    .action(async (spaceId: string, quota: number) => {
      await withCore(io, async ({ services }) => {
        const { views } = await services.spaces.update(OPERATOR_ID, spaceId, { quotaTotal: quota });
        const limit = views[0]?.quotaLimit ?? null;
        write(io.stdout, `quota of ${spaceId}: ${limit === null ? 'none' : humanSize(limit)}`);
      });
    });
}
