import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: the pages people read, in Debian's Chromium driven by playwright-core, against `npm start`. */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/browser/**/*.test.ts'],
    pool: 'forks',
    // One runtime and one Chromium per file; two cores, so files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
