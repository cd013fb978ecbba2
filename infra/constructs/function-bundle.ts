import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * ESM bundles have no `require`, but CommonJS dependencies bundled into them still call it
 * (for Node built-ins). The alias keeps the banner from clashing with a bundled module that
 * imports `createRequire` itself.
 */
export const requireBanner =
  "import { createRequire as __datelineCreateRequire } from 'module'; const require = __datelineCreateRequire(import.meta.url);";

/**
 * The esbuild options every function is bundled with (bundleFunction); the benchmarks and the
 * tests build with them too. The AWS SDK is bundled rather than taken from the runtime, so Lambda
 * runs the SDK versions pinned in package-lock.json, the ones the tests ran against.
 *
 * Code splitting: what a function imports dynamically (the API's route groups, the pages, the
 * OpenAPI builder, the SDK's credential providers…) becomes a chunk of its own under `chunks/`,
 * read and compiled only when first imported. One file would make every cold start compile all
 * of it.
 */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  banner: { js: requireBanner },
  outExtension: { '.js': '.mjs' },
} satisfies BuildOptions;

/** Files of installed packages a function reads at run time, by package: `{ 'swagger-ui-dist': ['swagger-ui.css'] }`. */
export type PackageFiles = Record<string, readonly string[]>;

/**
 * Bundles `functions/<entry>` into `outdir` as Lambda runs it: `index.mjs` (the handler module),
 * its chunks and source maps, and the package files it reads at run time copied into
 * `outdir/node_modules/<package>/`, where Node's resolution finds them from the bundle as it
 * finds them from source. Synchronous, as CDK's local bundling is.
 */
export function bundleFunction(entry: string, outdir: string, packageFiles: PackageFiles = {}): void {
  buildSync({
    ...esbuildOptions,
    entryPoints: { index: join(repoRoot, 'functions', entry) },
    outdir,
    absWorkingDir: repoRoot,
    logLevel: 'warning',
  });
  copyPackageFiles(outdir, packageFiles);
}

/** Copies the package files from the project's node_modules into `outdir/node_modules`. */
export function copyPackageFiles(outdir: string, files: PackageFiles): void {
  for (const [name, paths] of Object.entries(files)) {
    for (const path of paths) {
      const to = join(outdir, 'node_modules', name, path);
      // A path may sit in a folder of the package (lib/feed.js).
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(repoRoot, 'node_modules', name, path), to);
    }
  }
}
