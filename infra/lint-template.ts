/**
 * `npm run lint:cfn`: synthesizes the app offline, as CI does (`cdk synth --quiet`: local esbuild
 * bundling, no credentials, no network), then runs cfn-lint on every stack template in the cloud
 * assembly, against the region the stack is synthesized for. Fails on any error or warning: a
 * finding is fixed in the CDK code or suppressed on its resource with a reason
 * (infra/constructs/cfn-lint.ts). Arguments go to `cdk synth`: `npm run lint:cfn -- -c stage=prod`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './constructs/function-bundle.ts';

const outdir = join(repoRoot, 'cdk.out');

interface Manifest {
  artifacts?: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }>;
}

function run(command: string, args: string[], stdout: 'inherit' | 'ignore'): number {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', stdout, 'inherit'] });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    console.error(missing ? `${command} not found on PATH` : result.error.message);
    return 1;
  }
  return result.status ?? 1;
}

const synthStatus = run(
  join(repoRoot, 'node_modules', '.bin', 'cdk'),
  ['synth', '--quiet', '--output', outdir, ...process.argv.slice(2)],
  'ignore',
);
if (synthStatus !== 0) process.exit(synthStatus);

const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
const stacks = Object.entries(manifest.artifacts ?? {}).filter(
  ([, artifact]) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile,
);
if (stacks.length === 0) {
  console.error(`no stack template in ${outdir}/manifest.json`);
  process.exit(1);
}

let failed = false;
for (const [name, artifact] of stacks) {
  // aws://<account>/<region>; an environment-agnostic stack says unknown-region.
  const region = artifact.environment?.split('/')[3];
  const template = join(outdir, artifact.properties!.templateFile!);
  const args = ['--non-zero-exit-code', 'warning'];
  if (region && region !== 'unknown-region') args.push('--regions', region);
  const status = run('cfn-lint', [...args, '--', template], 'inherit');
  console.log(`cfn-lint ${name}${region ? ` (${region})` : ''}: ${status === 0 ? 'clean' : 'findings'}`);
  failed ||= status !== 0;
}
process.exit(failed ? 1 : 0);
