import type { BuildOptions } from 'esbuild';
import { esbuildOptions } from '../../infra/constructs/function-bundle.ts';

/** The esbuild options the Lambda bundles are built with, so the benchmark bundles exactly as the deployment does. */
export async function lambdaBuildOptions(): Promise<{ options: BuildOptions; source: string }> {
  return {
    options: { ...esbuildOptions } as BuildOptions,
    source: 'infra/constructs/function-bundle.ts esbuildOptions',
  };
}
