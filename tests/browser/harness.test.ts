import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, screenshot, watchedPage } from '../support/browser.ts';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';

let dataDir: string;
let runtime: RuntimeProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-browser-'));
  [runtime, browser] = await Promise.all([
    startRuntimeProcess({ DATELINE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('Chromium opens a page of the local runtime and reads what it rendered', async () => {
  const { page, errors } = await watchedPage(browser!);
  const response = await page.goto(`${runtime!.url}/healthz`);
  expect(response?.status()).toBe(200);
  expect(JSON.parse((await page.locator('body').textContent()) ?? '')).toEqual({ status: 'ok' });
  await screenshot(page, 'healthz');
  // A JSON answer has no <link rel="icon">, so Chromium asks for /favicon.ico: the one error it may log.
  expect(errors.filter((error) => !error.includes('/favicon.ico'))).toEqual([]);
});
