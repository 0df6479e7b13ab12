import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReference } from '../../src/cli/reference.js';

describe('README command reference', () => {
  it('is what the CLI\'s own help says (npm run docs:cli regenerates it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withReference(readme)).toBe(readme);
  });
});
