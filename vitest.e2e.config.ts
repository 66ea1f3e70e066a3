import { defineConfig } from 'vitest/config';

/** Browser tests need Debian's chromium; `.ci/run` installs it, `npm test` does not need it. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.browser.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
