import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most suites wait on a database, a socket or a child process: more workers than the default (CPUs - 1) keep the CPUs busy.
    maxWorkers: 3,
    globalSetup: ['test/global-setup.ts'],
  },
});
