import { defineConfig } from 'vitest/config';

/** The SIGKILL durability run (`npm run test:durability`, in `.ci/run`): minutes, not part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/durability/**/*.durability.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
