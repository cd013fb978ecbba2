import type { BuildOptions } from 'esbuild';

/**
 * The esbuild options the Lambda bundles are built with, taken from
 * infra/constructs/dateline-function.ts when it loads (so the benchmark bundles exactly as the
 * deployment does), else the house defaults written down in the benchmark brief.
 */
export const fallbackOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
};

export async function lambdaBuildOptions(): Promise<{ options: BuildOptions; source: string }> {
  try {
    const infra = (await import('../../infra/constructs/dateline-function.ts')) as {
      esbuildOptions?: BuildOptions;
    };
    if (infra.esbuildOptions) {
      return {
        options: { ...infra.esbuildOptions },
        source: 'infra/constructs/dateline-function.ts esbuildOptions',
      };
    }
    return { options: fallbackOptions, source: 'fallback (infra exports no esbuildOptions)' };
  } catch (error) {
    return {
      options: fallbackOptions,
      source: `fallback (infra/constructs/dateline-function.ts did not load: ${(error as Error).message.split('\n')[0]})`,
    };
  }
}
