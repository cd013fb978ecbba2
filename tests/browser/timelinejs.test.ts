import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { launchChromium, screenshot, watchedPage } from '../support/browser.ts';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';

/**
 * The TimelineJS export in TimelineJS itself: a page of this test's own (as a newsroom's embed
 * would be) loads TimelineJS's JS and CSS from the installed @knight-lab/timelinejs package, and
 * TimelineJS fetches /v1/timeline.json from the local runtime (`npm start`, seed timeline loaded).
 * No request leaves the machine: anything not on loopback is refused and counted (TimelineJS's
 * default font sheet is Google's, so the embed asks for none: `font: null`).
 */

const TIMELINEJS_DIST = fileURLToPath(
  new URL('../../node_modules/@knight-lab/timelinejs/dist/', import.meta.url),
);
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};

let dataDir: string;
let runtime: RuntimeProcess | undefined;
let browser: Browser | undefined;
let embed: Server | undefined;
let embedUrl: string;

function embedPage(timelineUrl: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dateline in TimelineJS</title>
<link rel="stylesheet" href="/timelinejs/css/timeline.css">
<script src="/timelinejs/js/timeline.js"></script>
</head><body>
<div id="timeline-embed" style="width: 100%; height: 600px"></div>
<script>
  window.timeline = new TL.Timeline('timeline-embed', ${JSON.stringify(timelineUrl)}, { script_path: new URL('/timelinejs/js/', location.href).href, hash_bookmark: false, font: null });
  window.timeline.on('loaded', function (data) { window.timelineLoaded = { events: data.events.length, title: Boolean(data.title) }; });
</script>
</body></html>`;
}

/** Serves the embed page and TimelineJS's files from node_modules, nothing else. */
function startEmbedServer(timelineUrl: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://embed').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(embedPage(timelineUrl));
      return;
    }
    const file = normalize(path.replace(/^\/timelinejs\//, ''));
    if (!path.startsWith('/timelinejs/') || file.startsWith('..')) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(TIMELINEJS_DIST, file));
      response
        .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        .end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-timelinejs-'));
  [runtime, browser] = await Promise.all([
    startRuntimeProcess({ DATELINE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }),
    launchChromium(),
  ]);
  embed = await startEmbedServer(`${runtime.url}/v1/timeline.json?limit=200`);
  embedUrl = `http://127.0.0.1:${(embed.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (embed ? embed.close(resolve) : resolve(undefined)));
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('TimelineJS shows one slide per event of the seed timeline, from /v1/timeline.json', async () => {
  const seed = (
    (await (await fetch(`${runtime!.url}/v1/events?limit=200`)).json()) as { items: TimelineEvent[] }
  ).items;
  expect(seed.length).toBeGreaterThan(0);

  const { page, errors } = await watchedPage(browser!);
  const offMachine: string[] = [];
  await page.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
    offMachine.push(route.request().url());
    return route.abort();
  });
  await page.goto(embedUrl);
  await page
    .waitForFunction(() => (globalThis as unknown as { timelineLoaded?: unknown }).timelineLoaded, null, {
      timeout: 20_000,
    })
    .catch(async (error: Error) => {
      const shown = (await page.locator('body').textContent())?.slice(0, 500);
      throw new Error(
        `TimelineJS did not load: ${error.message}\nerrors: ${errors.join('\n')}\noff machine: ${offMachine.join(', ')}\npage: ${shown}`,
      );
    });

  const eventSlides = page.locator('.tl-slide:not(.tl-slide-titleslide)');
  await expect.poll(() => eventSlides.count()).toBe(seed.length);
  expect(await page.locator('.tl-slide-titleslide').count()).toBe(1);
  // Each slide is one event: its headline and its id, in timeline order.
  const slides = await eventSlides.evaluateAll((nodes) =>
    nodes.map((node) => ({ id: node.id, headline: node.querySelector('.tl-headline')?.textContent?.trim() })),
  );
  expect(slides.map((slide) => slide.headline)).toEqual(seed.map((event) => event.title));
  expect(slides.map((slide) => slide.id)).toEqual(seed.map((event) => event.id));
  // And one marker per event on the time axis.
  expect(await page.locator('.tl-timemarker').count()).toBe(seed.length);

  await screenshot(page, 'timelinejs-seed');
  expect(offMachine).toEqual([]);
  expect(errors).toEqual([]);
});
