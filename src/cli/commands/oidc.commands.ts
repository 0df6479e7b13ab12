import type { Command } from 'commander';
import { type CliIo, write } from '../io.js';
import { withCore } from '../runtime.js';

export function registerOidcCommands(program: Command, io: CliIo): void {
  program
    .command('oidc:rotate-keys')
    .description(
      'add a new OpenID Connect signing key; processes started from now on sign with it, running ones keep signing with theirs until restarted, and tokens signed by older keys stay valid (keys older than the access token lifetime beyond the two newest are removed)',
    )
    .action(async () => {
      await withCore(io, async ({ services }) => {
        const { added, removed } = await services.oidc.rotateKeys();
        write(io.stdout, `added signing key ${added}${removed.length ? `; removed ${removed.join(', ')}` : ''}`);
      });
    });
}
