/**
 * The Lambda bundles resolve `zod` to infra/bundling/zod (esbuildOptions' alias): zod without the
 * locales other than English. This proves the bundled `z` is zod's own `z` otherwise — the same
 * exports, at every level @hono/zod-openapi and Dateline reach — and that the locales are gone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as zodRoot from 'zod';
import { esbuildOptions, repoRoot } from '../../infra/constructs/dateline-function.ts';

const run = promisify(execFile);
let outdir: string;
let bundled: {
  root: string[];
  z: string[];
  core: string[];
  locales: string[];
  sameZ: boolean;
  message: string;
};
let code: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'dateline-zod-alias-'));
  const outfile = join(outdir, 'probe.mjs');
  await build({
    ...esbuildOptions,
    stdin: {
      contents: `
        import { z } from '@hono/zod-openapi';
        import * as root from 'zod';
        const result = z.object({ n: z.number().min(2) }).safeParse({ n: 1 });
        console.log(JSON.stringify({
          root: Object.keys(root), z: Object.keys(z), core: Object.keys(z.core),
          locales: Object.keys(z.locales), sameZ: root.z === z, message: result.error.issues[0].message,
        }));`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    outfile,
    sourcemap: false,
    logLevel: 'silent',
  });
  const { stdout } = await run(process.execPath, [outfile], { env: { PATH: process.env.PATH } });
  bundled = JSON.parse(stdout);
  code = await readFile(outfile, 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe('zod in the Lambda bundles', () => {
  it('exports what zod exports, and @hono/zod-openapi gets that same z', () => {
    expect(bundled.root.sort()).toEqual(Object.keys(zodRoot).sort());
    expect(bundled.z.sort()).toEqual(Object.keys(zodRoot.z).sort());
    expect(bundled.core.sort()).toEqual(Object.keys(zodRoot.z.core).sort());
    expect(bundled.sameZ).toBe(true);
  });

  it('keeps English, the messages clients get, and only English', () => {
    expect(bundled.locales).toEqual(['en']);
    expect(bundled.message).toBe('Too small: expected number to be >=2');
    // Two of the other locales' messages (Polish, French), to be sure their code is not there.
    expect(code).not.toMatch(/Zbyt mał|Trop petit/);
  });
});
