import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import getEvents from '../tests/fixtures/apigw-get-events.json' with { type: 'json' };
import { lambdaBuildOptions } from './lib/build-options.ts';
import { envNumber, log, median, quick, round } from './lib/stats.ts';

/**
 * coldInit: time from process start to "handler module evaluated" for the bundled API Lambda
 * (functions/api.ts), ÷ the same for a minimal Hono + DynamoDB handler bundled the same way.
 * Each sample is a fresh `node` process; API and baseline processes alternate, so both see the
 * same machine noise.
 */

const root = fileURLToPath(new URL('../', import.meta.url));
const workDir = join(root, 'bench/.work/cold-init');

export interface ColdInitResult {
  ratio: number;
  apiMs: number;
  baselineMs: number;
  /** Printed, not in results.json: CPU time medians and the code each loads at init (KB). */
  detail: {
    apiCpuMs: number;
    baselineCpuMs: number;
    cpuRatio: number;
    apiKb: number;
    baselineKb: number;
    /** Process start to the first request answered (FIRST_REQUEST), medians, and their ratio. */
    apiFirstMs: number;
    baselineFirstMs: number;
    firstRatio: number;
    /** The bare Hono + zod/mini + DynamoDB handler: the framework's share of the ratio. */
    floorMs: number;
    floorRatio: number;
    floorKb: number;
    runs: number;
    options: string;
  };
}

interface Sample {
  ms: number;
  cpuMs: number;
  /** When the first request was answered (ms since process start). */
  firstMs: number;
}

/**
 * The first request each handler gets: `GET /v1/events?limit=0`, an API Gateway v2 event. The API
 * loads its event routes' code and validation and refuses the limit (400) without a table call;
 * the baseline answers its one route.
 */
const FIRST_REQUEST = {
  ...getEvents,
  rawQueryString: 'limit=0',
  queryStringParameters: { limit: '0' },
};

/** The environment the API function needs at init (and nothing from this shell). */
const lambdaEnv = {
  PATH: process.env.PATH ?? '',
  TABLE_NAME: 'dateline',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dateline-token-key',
  AWS_REGION: 'eu-west-1',
  // Node 24 on Lambda; on this Node 20 the SDK would print an upgrade notice in both processes.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function bundle(
  options: BuildOptions,
  name: string,
  entry: string,
): Promise<{ file: string; bytes: number }> {
  const result = await build({
    ...options,
    entryPoints: { [name]: join(root, entry) },
    outdir: workDir,
    absWorkingDir: root,
    metafile: true,
    write: true,
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  const [file] = Object.entries(outputs).find(([, out]) => out.entryPoint === entry)!;
  return { file: join(root, file), bytes: loadedAtInit(outputs, file) };
}

/**
 * The bytes a cold start reads and compiles: the entry's file and every chunk it imports
 * statically, not the chunks behind `import()` (route groups, pages, credential providers…).
 */
function loadedAtInit(outputs: Metafile['outputs'], entryFile: string): number {
  const loaded = new Set<string>();
  const pending = [entryFile];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const used of outputs[file]!.imports) {
      if (used.kind === 'import-statement' && !used.external) pending.push(used.path);
    }
  }
  return [...loaded].reduce((sum, file) => sum + outputs[file]!.bytes, 0);
}

/** A wrapper that imports the bundle and reports when its evaluation finished (ms since process start). */
async function writeWrapper(bundleFile: string, name: string): Promise<string> {
  const wrapper = join(workDir, `start-${name}.mjs`);
  await writeFile(
    wrapper,
    [
      `const mod = await import('./${basename(bundleFile)}');`,
      'const ms = performance.now();',
      'const cpu = process.cpuUsage();',
      "if (typeof mod.handler !== 'function') throw new Error('no handler export');",
      // Then the first request, whose route's code loads on demand: answered without the table.
      `const answer = await mod.handler(${JSON.stringify(FIRST_REQUEST)}, {});`,
      'const firstMs = performance.now();',
      "if (typeof answer?.statusCode !== 'number') throw new Error('no answer to the first request');",
      'process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, firstMs }));',
      '',
    ].join('\n'),
  );
  return wrapper;
}

function runOnce(wrapper: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [wrapper], { env: lambdaEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${basename(wrapper)} failed: ${error.message}\n${stderr}`));
      // The handler's access log line comes first; the sample is the last line.
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample);
    });
  });
}

export async function measureColdInit(): Promise<ColdInitResult> {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const { options, source } = await lambdaBuildOptions();
  let used = source;
  const bundleAll = async (opts: BuildOptions) => {
    const api = await bundle(opts, 'api', 'functions/api.ts');
    const baseline = await bundle(opts, 'baseline', 'bench/cold-init/minimal-handler.ts');
    const floor = await bundle(opts, 'floor', 'bench/cold-init/framework-floor.ts');
    return {
      api: { ...api, wrapper: await writeWrapper(api.file, 'api') },
      baseline: { ...baseline, wrapper: await writeWrapper(baseline.file, 'baseline') },
      floor: { ...floor, wrapper: await writeWrapper(floor.file, 'floor') },
    };
  };
  let bundles = await bundleAll(options);
  try {
    for (const b of Object.values(bundles)) await runOnce(b.wrapper);
  } catch (error) {
    // A bundle targeting a newer Node than this one may use syntax it lacks: rebuild for this Node.
    const target = `node${process.versions.node.split('.')[0]}`;
    log(
      `cold init: bundle did not load on ${process.version} (${(error as Error).message.split('\n')[0]}); rebuilding with target ${target}`,
    );
    used = `${source}, target ${target}`;
    bundles = await bundleAll({ ...options, target });
  }
  const { api, baseline, floor } = bundles;

  const runs = envNumber('BENCH_COLD_RUNS', quick() ? 15 : 25);
  const apiSamples: Sample[] = [];
  const baselineSamples: Sample[] = [];
  const floorSamples: Sample[] = [];
  // One warm-up each (file cache), then rotate which goes first.
  for (const b of [api, baseline, floor]) await runOnce(b.wrapper);
  const order: [string, Sample[]][] = [
    [api.wrapper, apiSamples],
    [baseline.wrapper, baselineSamples],
    [floor.wrapper, floorSamples],
  ];
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < order.length; k++) {
      const [wrapper, samples] = order[(i + k) % order.length]!;
      samples.push(await runOnce(wrapper));
    }
  }
  const floorMs = median(floorSamples.map((s) => s.ms));
  const apiMs = median(apiSamples.map((s) => s.ms));
  const baselineMs = median(baselineSamples.map((s) => s.ms));
  const apiCpuMs = median(apiSamples.map((s) => s.cpuMs));
  const baselineCpuMs = median(baselineSamples.map((s) => s.cpuMs));
  return {
    ratio: round(apiMs / baselineMs),
    apiMs: round(apiMs, 1),
    baselineMs: round(baselineMs, 1),
    detail: {
      apiFirstMs: round(median(apiSamples.map((s) => s.firstMs)), 1),
      baselineFirstMs: round(median(baselineSamples.map((s) => s.firstMs)), 1),
      firstRatio: round(
        median(apiSamples.map((s) => s.firstMs)) / median(baselineSamples.map((s) => s.firstMs)),
      ),
      apiCpuMs: round(apiCpuMs, 1),
      baselineCpuMs: round(baselineCpuMs, 1),
      cpuRatio: round(apiCpuMs / baselineCpuMs),
      apiKb: Math.round(api.bytes / 1024),
      baselineKb: Math.round(baseline.bytes / 1024),
      floorMs: round(floorMs, 1),
      floorRatio: round(floorMs / baselineMs),
      floorKb: Math.round(floor.bytes / 1024),
      runs,
      options: used,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureColdInit(), null, 2));
}
