/**
 * /docs in Chromium: Swagger UI renders every operation of /openapi.json from files the local
 * runtime serves itself, under the page's CSP, with no console error (no CSP violation, no 404,
 * not even for a favicon), no serious or critical accessibility violation, and examples from the
 * seed timeline in the operations it opens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
} from '../support/browser.ts';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';

let dataDir: string;
let runtime: RuntimeProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let errors: string[];
const requested: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-docs-'));
  [runtime, browser] = await Promise.all([
    startRuntimeProcess({ DATELINE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }),
    launchChromium(),
  ]);
  // A context of its own: axe-core injects its script into the context's pages.
  ({ page, errors } = await watchedPage(await browser.newContext()));
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${runtime.url}/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('/docs in Chromium', () => {
  it('renders one block per operation of the OpenAPI document', async () => {
    const document = (await (await fetch(`${runtime!.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(await page.locator('.opblock').count()).toBe(operations.length);
    await expect(page.locator('.opblock-summary-path', { hasText: '/v1/events/{id}' }).first()).toBeDefined();
    expect(await page.locator('.info .title').textContent()).toContain('Dateline API');
  });

  it('loads everything from the runtime itself, with no console error', async () => {
    const origin = new URL(runtime!.url).origin;
    expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([`${origin}/docs/assets/swagger-ui-bundle.js`]));
    expect(errors).toEqual([]);
  });

  it('explains authentication and offers to authorize with a bearer token', async () => {
    expect(await page.locator('.info').textContent()).toMatch(/Subscription token/);
    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/bearer[\s\S]*subscriptionToken/);
    await dialog.locator('button.close-modal').click();
  });

  it('shows a request body example from the seed timeline in POST /v1/events', async () => {
    const post = page.locator('#operations-Timeline-post_v1_events');
    await post.locator('.opblock-summary').click();
    const body = post.locator('.opblock-section-request-body');
    await body.waitFor();
    expect(await body.textContent()).toContain('Putin and Kim sign');
    await screenshot(page, 'docs');
  });

  it('creates an event with Try it out, authorized with the admin key', async () => {
    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('input').first().fill(runtime!.adminKey);
    await dialog.locator('button.authorize').first().click();
    await dialog.locator('button.close-modal').click();
    const post = page.locator('#operations-Timeline-post_v1_events');
    await post.locator('button.try-out__btn').click();
    await post.locator('button.execute').click();
    const status = post.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.textContent())?.trim()).toBe('201');
    expect(errors).toEqual([]);
  });

  it('has no serious or critical accessibility violations', async () => {
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
