import { defineConfig } from 'vitest/config';

// Integration tests start real PostgreSQL, Redis and SMTP processes; two cores
// are shared with them, so files run in forks with generous timeouts. Two
// files at a time: the long ones (rehearsals, federation) mostly wait on the
// clock, so a second file fills the idle core instead of doubling the wall time.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/temp-root.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
