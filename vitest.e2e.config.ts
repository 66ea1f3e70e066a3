import { defineConfig } from 'vitest/config';

/** Browser tests need Debian's chromium; `.ci/run` installs it, `npm test` does not need it. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.browser.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The SDK's notice that releases after January 2027 need Node 22 repeats once per worker; the
    // versions are pinned, so it says nothing new in a test log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
