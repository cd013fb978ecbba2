import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type ColdInitResult, measureColdInit } from './cold-init.ts';
import { type FanoutReadsResult, measureFanoutReads } from './fanout-reads.ts';
import { type FanoutScaleResult, measureFanoutScale } from './fanout-scale.ts';
import { log, machineInfo, round } from './lib/stats.ts';
import { measurePageRender, type PageRenderResult } from './page-render.ts';
import { measureRequestOverhead, type RequestOverheadResult } from './request-overhead.ts';
import { measureTimelineReads, type TimelineReadRow } from './timeline-reads.ts';
import { measureWebhookThroughput, type WebhookThroughputResult } from './webhook-throughput.ts';

/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run, side by
 * side. Prints a table and writes bench/results.json. Sizes: BENCH_QUICK=1 for a short run, and the
 * BENCH_* variables documented in docs/benchmarks.md.
 * BENCH_ONLY=cold,request,page,timeline,fanout,webhook,fanout-scale runs a subset (the others are
 * left out of results.json); the measures' own names (coldInit, pageRender, …) work too.
 */

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const GOALS = {
  coldInit: { max: 1.3 },
  requestOverhead: { max: 1.25 },
  pageRender: { max: 2 },
  timelineReads: { max: 1.2 },
  fanoutReads: { max: 1.2 },
  webhookThroughput: { min: 0.5 },
} as const;

/** Printed only (not a goal): peak RSS of fanoutScale's largest fan-out ÷ its smallest's. */
const FANOUT_RSS_GROWTH_BOUND = 1.5;

/** BENCH_ONLY may name a step or the measure it reports. */
const STEP_OF_MEASURE: Record<string, string> = {
  coldInit: 'cold',
  requestOverhead: 'request',
  pageRender: 'page',
  timelineReads: 'timeline',
  fanoutReads: 'fanout',
  webhookThroughput: 'webhook',
  fanoutScale: 'fanout-scale',
};
const only = new Set(
  (process.env.BENCH_ONLY ?? 'cold,request,page,timeline,fanout,webhook,fanout-scale')
    .split(',')
    .map((name) => STEP_OF_MEASURE[name.trim()] ?? name.trim()),
);
const started = performance.now();
const machine = machineInfo();
const notes: string[] = [];

async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!only.has(name)) return undefined;
  const at = performance.now();
  log(`${name}: starting`);
  try {
    const result = await run();
    log(`${name}: done in ${Math.round((performance.now() - at) / 1000)} s`);
    return result;
  } catch (error) {
    log(`${name}: FAILED: ${(error as Error).stack ?? error}`);
    notes.push(`${name} failed: ${(error as Error).message}`);
    process.exitCode = 1;
    return undefined;
  }
}

const cold: ColdInitResult | undefined = await step('cold', measureColdInit);
const request: RequestOverheadResult | undefined = await step('request', measureRequestOverhead);
const page: PageRenderResult | undefined = await step('page', measurePageRender);
const timeline = await step('timeline', measureTimelineReads);
const fanout: (FanoutReadsResult & { notes: string[] }) | undefined = await step(
  'fanout',
  measureFanoutReads,
);
const webhook: WebhookThroughputResult | undefined = await step('webhook', measureWebhookThroughput);
const scale: FanoutScaleResult | undefined = await step('fanout-scale', measureFanoutScale);
notes.push(...(timeline?.notes ?? []), ...(fanout?.notes ?? []));

const results = {
  ...(cold ? { coldInit: { ratio: cold.ratio, apiMs: cold.apiMs, baselineMs: cold.baselineMs } } : {}),
  ...(request
    ? { requestOverhead: { ratio: request.ratio, apiUs: request.apiUs, baselineUs: request.baselineUs } }
    : {}),
  ...(page ? { pageRender: { ratio: page.ratio, pageUs: page.pageUs, jsonUs: page.jsonUs } } : {}),
  ...(timeline ? { timelineReads: timeline.rows satisfies TimelineReadRow[] } : {}),
  ...(fanout
    ? {
        fanoutReads: {
          subscriptions: fanout.subscriptions,
          matching: fanout.matching,
          itemsRead: fanout.itemsRead,
          ratio: fanout.ratio,
        },
      }
    : {}),
  ...(webhook
    ? {
        webhookThroughput: {
          ratio: webhook.ratio,
          pipelinePerSec: webhook.pipelinePerSec,
          rawPerSec: webhook.rawPerSec,
          writesPerDelivery: webhook.writesPerDelivery,
          readsPerDelivery: webhook.readsPerDelivery,
          itemsWrittenPerDelivery: webhook.itemsWrittenPerDelivery,
          itemsReadPerDelivery: webhook.itemsReadPerDelivery,
        },
      }
    : {}),
  ...(scale ? { fanoutScale: { sizes: scale.sizes, rssGrowth: scale.rssGrowth } } : {}),
  machine: {
    ...machine,
    quick: process.env.BENCH_QUICK === '1',
    seconds: Math.round((performance.now() - started) / 1000),
  },
  date: new Date().toISOString(),
};

const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
await mkdir(fileURLToPath(new URL('./', import.meta.url)), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

// The table.
const verdict = (ratio: number, goal: { max?: number; min?: number }) =>
  goal.max !== undefined ? (ratio <= goal.max ? 'ok' : 'MISSED') : ratio >= goal.min! ? 'ok' : 'MISSED';
const goalText = (goal: { max?: number; min?: number }) =>
  goal.max !== undefined ? `≤ ${goal.max}` : `≥ ${goal.min}`;
const rows: [string, string, string, string, string][] = [];
if (cold) {
  rows.push([
    'coldInit',
    String(cold.ratio),
    goalText(GOALS.coldInit),
    verdict(cold.ratio, GOALS.coldInit),
    `api ${cold.apiMs} ms vs baseline ${cold.baselineMs} ms (median of ${cold.detail.runs} fresh processes; CPU ${cold.detail.apiCpuMs}/${cold.detail.baselineCpuMs} ms = ${cold.detail.cpuRatio}); loading ${cold.detail.apiKb}/${cold.detail.baselineKb} KB of code at init; first request answered at ${cold.detail.apiFirstMs}/${cold.detail.baselineFirstMs} ms (${cold.detail.firstRatio}); framework floor ${cold.detail.floorRatio} (${cold.detail.floorKb} KB)`,
  ]);
}
if (request) {
  rows.push([
    'requestOverhead',
    String(request.ratio),
    goalText(GOALS.requestOverhead),
    verdict(request.ratio, GOALS.requestOverhead),
    `app ${request.apiUs} µs vs bare Hono ${request.baselineUs} µs CPU per request; framework floor ${request.detail.floorRatio}`,
  ]);
}
if (page) {
  rows.push([
    'pageRender',
    String(page.ratio),
    goalText(GOALS.pageRender),
    verdict(page.ratio, GOALS.pageRender),
    `timeline page of 50 events (GET /?limit=50, ${page.detail.pageKb} KB of HTML): ${page.pageUs} µs vs the JSON list of the same 50 (${page.detail.jsonKb} KB): ${page.jsonUs} µs CPU per request, through the same app; ${page.detail.freshPageUs} µs (${round(page.detail.freshPageUs / page.jsonUs)}) when every event changed since the last page`,
  ]);
}
for (const row of timeline?.rows ?? []) {
  rows.push([
    `timelineReads ${row.events / 1000}k`,
    String(row.ratio),
    goalText(GOALS.timelineReads),
    verdict(row.ratio, GOALS.timelineReads),
    `${row.filter}: ${row.itemsRead} items read for a page of ${row.pageSize}`,
  ]);
}
if (fanout) {
  rows.push([
    'fanoutReads',
    String(fanout.ratio),
    goalText(GOALS.fanoutReads),
    verdict(fanout.ratio, GOALS.fanoutReads),
    `${fanout.itemsRead} index items read for ${fanout.matching} matching of ${fanout.subscriptions} subscriptions`,
  ]);
}
if (webhook) {
  rows.push([
    'webhookThroughput',
    String(webhook.ratio),
    goalText(GOALS.webhookThroughput),
    verdict(webhook.ratio, GOALS.webhookThroughput),
    `pipeline ${webhook.pipelinePerSec}/s vs raw ${webhook.rawPerSec}/s; per delivery ${webhook.writesPerDelivery} write and ${webhook.readsPerDelivery} read requests, ${webhook.itemsWrittenPerDelivery} items written, ${webhook.itemsReadPerDelivery} read (${Object.entries(
      webhook.detail.byCommand,
    )
      .map(([name, count]) => `${name} ${(count / webhook.detail.deliveries).toFixed(2)}`)
      .join(', ')})`,
  ]);
}
if (scale) {
  for (const [i, row] of scale.sizes.entries()) {
    const detail = scale.detail[i]!;
    rows.push([
      `fanoutScale ${row.subscriptions >= 1000 ? `${row.subscriptions / 1000}k` : row.subscriptions}`,
      '',
      '',
      '',
      `${row.deliveries} deliveries recorded and enqueued in ${row.seconds} s (${row.secondsPer1000} s per 1,000); peak RSS ${row.peakRssMb} MB (${row.baselineRssMb} MB before the fan-out; heap ${detail.baselineHeapMb} → ${detail.peakHeapMb} MB, ${detail.retainedHeapMb} MB still held after); per delivery ${row.itemsWrittenPerDelivery} items, ${row.bytesWrittenPerDelivery} bytes written (delivery item ${detail.deliveryItemBytes} B, message ${detail.messageItemBytes} B once), ${detail.itemsReadPerDelivery} items read`,
    ]);
  }
  const sizes = scale.sizes.map((row) => row.subscriptions);
  rows.push([
    'fanoutScale rssGrowth',
    String(scale.rssGrowth),
    `≤ ${FANOUT_RSS_GROWTH_BOUND}`,
    scale.rssGrowth <= FANOUT_RSS_GROWTH_BOUND ? 'ok' : 'GROWS',
    `peak RSS at ${Math.max(...sizes)} subscriptions ÷ at ${Math.min(...sizes)} (printed, not a goal: memory should not grow with matches)`,
  ]);
}
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((row) => row[i]!.length), ['measure', 'ratio', 'goal', ''][i]!.length),
);
const line = (cells: string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ');
console.log('');
console.log(line(['measure', 'ratio', 'goal', '', 'detail']));
for (const row of rows) console.log(line(row));
for (const note of notes) console.log(`note: ${note}`);
console.log(
  `\n${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}, load ${machine.loadAverageAtStart.join('/')} at start; ${Math.round((performance.now() - started) / 1000)} s; results in bench/results.json`,
);
// Ratios are reported, not asserted: a missed goal is not a failure of the run.
process.exit(process.exitCode ?? 0);
