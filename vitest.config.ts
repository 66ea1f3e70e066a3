import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on CI's 2 cores. The integration
    // files mostly wait on their engines (child processes), so one per core halves the wall time.
    maxWorkers: '100%',
    // The SDK's notice that releases after January 2027 need Node 22 repeats once per worker; the
    // versions are pinned, so it says nothing new in a test log.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
