import { defineConfig } from 'vitest/config';

// Integration tests start real PostgreSQL, Redis and SMTP processes; two cores
// are shared with them, so files run in forks with generous timeouts.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
