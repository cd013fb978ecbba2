/**
 * Each DatelineFunction's code is its own entry, bundled when the app synthesises (the other
 * infra tests synthesise without bundling): its handler module with chunks and source maps, and
 * the package files it reads at run time. CDK caches bundles by their options; a function must
 * never get another's bundle.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatelineFunction } from '../../infra/constructs/dateline-function.ts';

let outdir: string;
let codeDirs: Record<string, string>;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'dateline-function-code-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Code');
  const sweep = new DatelineFunction(stack, 'Sweep', {
    entry: 'sweep.ts',
    description: 'sweep',
    logLevel: 'info',
  });
  const mailEvents = new DatelineFunction(stack, 'MailEvents', {
    entry: 'mail-events.ts',
    description: 'mail events',
    logLevel: 'info',
    packageFiles: { 'swagger-ui-dist': ['package.json'] },
  });
  const assembly = app.synth();
  const template = assembly.getStackByName('Code').template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key: string }; Handler?: string } }>;
  };
  const keyOf = (fn: DatelineFunction) =>
    template.Resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties.Code!.S3Key;
  // The asset's folder in the assembly is named after its hash, as is its S3 key.
  codeDirs = {
    sweep: join(outdir, `asset.${keyOf(sweep).replace(/\.zip$/, '')}`),
    mailEvents: join(outdir, `asset.${keyOf(mailEvents).replace(/\.zip$/, '')}`),
  };
}, 60_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('a function’s code', () => {
  it('is its own bundle, not the first function’s', () => {
    expect(codeDirs.sweep).not.toBe(codeDirs.mailEvents);
    for (const dir of Object.values(codeDirs)) expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
  });

  it('is index.mjs with its chunks and source maps', async () => {
    const files = await readdir(codeDirs.sweep!, { recursive: true });
    expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map', 'chunks']));
    expect(files.some((file) => /^chunks\/.+\.mjs$/.test(file))).toBe(true);
  });

  it('carries the package files it reads at run time, and only its own', () => {
    expect(existsSync(join(codeDirs.mailEvents!, 'node_modules/swagger-ui-dist/package.json'))).toBe(true);
    expect(existsSync(join(codeDirs.sweep!, 'node_modules'))).toBe(false);
  });
});
