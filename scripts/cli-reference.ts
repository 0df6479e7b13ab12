import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withReference } from '../src/cli/reference.js';

/** npm run docs:cli: rewrites the README's command reference from the CLI's own help. */
let dir = path.dirname(fileURLToPath(import.meta.url));
while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
const file = path.join(dir, 'README.md');
const before = readFileSync(file, 'utf8');
const after = withReference(before);
writeFileSync(file, after);
process.stdout.write(before === after ? 'README.md command reference is up to date\n' : 'README.md command reference rewritten\n');
