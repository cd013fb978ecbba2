/**
 * Bundles Lambda entries with the very esbuild options DatelineFunction gives NodejsFunction,
 * then imports each bundle in a fresh `node` process: proof that the ESM output loads (the
 * createRequire banner lets bundled CommonJS call require) and exports `handler`.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, repoRoot } from '../../infra/constructs/dateline-function.ts';

const run = promisify(execFile);
/** Every entry under functions/ (api, fanout, deliver, sweep, mail-events, …). */
const entries = readdirSync(join(repoRoot, 'functions'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));
let outdir: string;

// What the stack sets; values are placeholders because loading must not call AWS.
const lambdaEnvironment = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'dateline-bundle-test',
  DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/delivery',
  DIGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/digest-continuations',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf',
  MAIL_FROM: 'alerts@example.com',
  PUBLIC_URL: 'https://dateline.example.org',
  METRICS_NAMESPACE: 'Dateline',
  LOG_LEVEL: 'error',
  NODE_OPTIONS: '--enable-source-maps',
};

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'dateline-bundle-'));
  await build({
    ...esbuildOptions,
    entryPoints: entries.map((name) => join(repoRoot, 'functions', `${name}.ts`)),
    outdir,
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('Lambda bundles', () => {
  it('are ESM files (.mjs) with source maps', async () => {
    const files = await readdir(outdir);
    for (const name of entries)
      expect(files).toEqual(expect.arrayContaining([`${name}.mjs`, `${name}.mjs.map`]));
  });

  it('start with the createRequire banner', async () => {
    const code = await readFile(join(outdir, 'api.mjs'), 'utf8');
    expect(code.startsWith(esbuildOptions.banner.js)).toBe(true);
  });

  it.each(entries)('%s loads in a fresh node process and exports a handler function', async (name) => {
    const url = pathToFileURL(join(outdir, `${name}.mjs`)).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: { PATH: process.env.PATH, ...lambdaEnvironment },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('function');
  });

  it('does not need node_modules at run time (the SDK is bundled)', async () => {
    const code = await readFile(join(outdir, 'api.mjs'), 'utf8');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('give bundled CommonJS code the require it needs for Node built-ins (the banner; without it, loading fails)', async () => {
    const fixture = join(outdir, 'cjs-fixture');
    await mkdir(fixture);
    await writeFile(join(fixture, 'dep.cjs'), "module.exports = require('node:os').EOL.length;\n");
    await writeFile(
      join(fixture, 'entry.ts'),
      "import n from './dep.cjs';\nexport const handler = async () => n;\n",
    );
    const load = async (options: object, name: string) => {
      await build({
        ...options,
        entryPoints: [join(fixture, 'entry.ts')],
        outfile: join(fixture, name),
        logLevel: 'silent',
      });
      const script = `const m = await import(${JSON.stringify(pathToFileURL(join(fixture, name)).href)}); console.log(await m.handler());`;
      return run(process.execPath, ['--input-type=module', '--eval', script], {
        env: { PATH: process.env.PATH },
      });
    };
    const { banner: _banner, ...withoutBanner } = esbuildOptions;

    await expect(load(esbuildOptions, 'with-banner.mjs')).resolves.toMatchObject({ stdout: '1\n' });
    await expect(load(withoutBanner, 'without-banner.mjs')).rejects.toThrow(/Dynamic require of "node:os"/);
  });
});
