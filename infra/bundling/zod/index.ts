/**
 * What the Lambda bundles get for `import … from 'zod'` (an esbuild alias, see `esbuildOptions` in
 * infra/constructs/dateline-function.ts): zod's classic API exactly as the package root exports
 * it, except that `z.locales` and `z.core.locales` hold only English.
 *
 * Why: @hono/zod-openapi passes the whole `z` namespace to zod-to-openapi as a value, so esbuild
 * cannot tree-shake it, and the package's `z` re-exports every locale zod ships (about 260 KB
 * minified, a quarter of the API bundle) — code every cold start parsed and no Dateline path uses:
 * zod's messages are English by default (zod installs `en` itself on the first schema), and
 * nothing calls `z.config(z.locales.…())`.
 *
 * The modules below re-export zod's own files with `export *`, so any export a zod upgrade adds
 * comes along; a module's own `locales` export takes precedence over the one `export *` would
 * bring, which leaves the other locale files unreferenced. tests/infra/zod-alias.test.ts checks
 * that the bundled `z` has the same keys as zod's. Tests and the local runtime use zod itself.
 */
import * as z from './classic.ts';

export * from './classic.ts';
export { z, z as default };
