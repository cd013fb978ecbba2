import { defineConfig } from 'vitest/config';

/** `npm run test:aws`: the four Lambda handlers on moto's DynamoDB (with Streams), SQS, SES and Secrets Manager. */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/aws/**/*.test.ts'],
    globalSetup: ['tests/aws/moto-server.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The Lambda bundles load through Node itself, untransformed (see aws-harness.ts).
    server: { deps: { external: [/dateline-aws-bundle-/] } },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
