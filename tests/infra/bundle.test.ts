/**
 * Bundles each Lambda entry as DatelineFunction does (bundleFunction), then imports each bundle
 * in a fresh `node` process: proof that the ESM output and its chunks load (the createRequire
 * banner lets bundled CommonJS call require) and export `handler`.
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
import { bundleFunction, esbuildOptions, repoRoot } from '../../infra/constructs/function-bundle.ts';

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
  for (const name of entries) bundleFunction(`${name}.ts`, join(outdir, name));
}, 60_000);

/** Every JavaScript file of an entry's bundle: the handler module and its chunks. */
async function bundleFiles(name: string): Promise<string[]> {
  const files = await readdir(join(outdir, name), { recursive: true });
  return files.filter((file) => file.endsWith('.mjs')).map((file) => join(outdir, name, file));
}

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('Lambda bundles', () => {
  it('are ESM files (index.mjs and chunks) with source maps', async () => {
    for (const name of entries) {
      const files = await readdir(join(outdir, name), { recursive: true });
      expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
      for (const file of files.filter((f) => f.endsWith('.mjs'))) expect(files).toContain(`${file}.map`);
    }
  });

  it('start with the createRequire banner, chunks too', async () => {
    for (const file of await bundleFiles('api')) {
      expect((await readFile(file, 'utf8')).startsWith(esbuildOptions.banner.js)).toBe(true);
    }
  });

  it('split the API: the route groups, pages and OpenAPI builder are chunks the handler module imports only on demand', async () => {
    const files = await bundleFiles('api');
    const index = await readFile(join(outdir, 'api', 'index.mjs'), 'utf8');
    expect(files.length).toBeGreaterThan(10);
    // The group modules are behind import(): their code is not in the handler module.
    expect(index).not.toContain('Subscribe by email (anyone; double opt-in)');
    expect(index).toMatch(/import\("\.\/chunks\/event-routes-[A-Z0-9]+\.mjs"\)/);
  });

  it.each(entries)('%s loads in a fresh node process and exports a handler function', async (name) => {
    const url = pathToFileURL(join(outdir, name, 'index.mjs')).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], {
      env: { PATH: process.env.PATH, ...lambdaEnvironment },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('function');
  });

  it('does not need node_modules at run time (the SDK is bundled)', async () => {
    for (const file of await bundleFiles('api')) {
      expect(await readFile(file, 'utf8')).not.toMatch(/from\s*["']@aws-sdk\//);
    }
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
        entryPoints: { [name]: join(fixture, 'entry.ts') },
        outdir: fixture,
        logLevel: 'silent',
      });
      const url = pathToFileURL(join(fixture, `${name}.mjs`)).href;
      const script = `const m = await import(${JSON.stringify(url)}); console.log(await m.handler());`;
      return run(process.execPath, ['--input-type=module', '--eval', script], {
        env: { PATH: process.env.PATH },
      });
    };
    const { banner: _banner, ...withoutBanner } = esbuildOptions;

    await expect(load(esbuildOptions, 'with-banner')).resolves.toMatchObject({ stdout: '1\n' });
    await expect(load(withoutBanner, 'without-banner')).rejects.toThrow(/Dynamic require of "node:os"/);
  });
});
