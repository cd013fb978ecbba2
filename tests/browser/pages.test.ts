import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../shared/seed/load-seed.ts';
import {
  launchChromium,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
} from '../support/browser.ts';
import { type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process.ts';

/**
 * The pages in Debian's Chromium against `npm start` (the seed timeline, mail to the outbox): each
 * page is read as a person reads it, checked by axe-core for serious and critical violations, and
 * must log no console error (a CSP violation is one). Screenshots go to test-output/screenshots.
 */

let dataDir: string;
let runtime: RuntimeProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-pages-'));
  [runtime, browser] = await Promise.all([
    startRuntimeProcess({ DATELINE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The seed's titles in timeline order (earliest first): what the front page must list. */
const SEED_IN_ORDER = [...seedEvents]
  .map((event) => ({ title: event.title, start: event.date.replace(/[~?%]/g, '').split('/')[0]! }))
  .sort((a, b) => a.start.localeCompare(b.start))
  .map((event) => event.title);

const titles = (page: Page) => page.locator('ol.timeline h2').allTextContents();

/** Opens a path in a fresh watched page, and checks it the way every page is checked. */
async function open(path: string, name: string, expectedStatus = 200) {
  // A context of its own: axe-core analyses pages of explicit contexts only.
  const context = await browser.newContext();
  contexts.push(context);
  const watched = await watchedPage(context);
  const response = await watched.page.goto(`${runtime.url}${path}`);
  expect(response?.status()).toBe(expectedStatus);
  return { ...watched, check: () => checked(watched.page, watched.errors, name, expectedStatus) };
}

/**
 * Writes the screenshot, then: no serious or critical axe violation, no console error. Chromium
 * logs an error page's own status as a failed load; that one line is the page's status, not a fault.
 */
async function checked(page: Page, errors: string[], name: string, status = 200) {
  await screenshot(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  const ownStatus = `console: Failed to load resource: the server responded with a status of ${status} `;
  expect(
    errors.filter(
      (error) => !(status >= 400 && error.startsWith(ownStatus) && error.endsWith(`(${page.url()})`)),
    ),
  ).toEqual([]);
}

/** The newest mail in the outbox to an address that matches, parsed (the delivery worker writes it). */
async function mailTo(address: string, matches: (text: string) => boolean, timeoutMs = 20_000) {
  const outbox = join(dataDir, 'outbox');
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const name of (await readdir(outbox))
      .filter((file) => file.endsWith('.eml'))
      .sort()
      .reverse()) {
      const mail = await simpleParser(await readFile(join(outbox, name)));
      const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      if (to.some((a) => a.text.includes(address)) && matches(mail.text ?? '')) return mail;
    }
    if (Date.now() > until) throw new Error(`no matching mail to ${address} in ${outbox}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const linkIn = (text: string, path: string) => {
  const link = text.match(/https?:\/\/[^\s<>"]+/g)?.find((url) => new URL(url).pathname === path);
  if (!link) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(link);
};

describe('the timeline page', () => {
  it('lists the seed events in timeline order, with their dates in words and drawings', async () => {
    const { page, check } = await open('/', 'timeline');
    expect(await titles(page)).toEqual(SEED_IN_ORDER);
    expect(await page.locator('.when').allTextContents()).toContain('between 10 and 20 June 2024');
    expect(await page.locator('.overview svg[role="img"]').count()).toBe(1);
    expect(await page.locator('.span-line svg').count()).toBe(SEED_IN_ORDER.length);
    await check();
  });

  it('filters with the form', async () => {
    const { page, check } = await open('/', 'timeline-filtered');
    await page.getByLabel('Missile launch').check();
    await page.getByLabel('Missile finding').check();
    await page.getByLabel('Actor', { exact: true }).fill('KP');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/kind=missile-launch/);
    expect(new URL(page.url()).searchParams.getAll('kind')).toEqual(['missile-finding', 'missile-launch']);
    expect(await titles(page)).toEqual([
      'Debris of a North Korean Hwasong-11 ballistic missile found in Kharkiv',
      'Russia fires four possibly North Korean-supplied ballistic missiles at Ukraine',
    ]);
    expect(await page.getByLabel('Actor', { exact: true }).inputValue()).toBe('KP');
    await check();
  });

  it('pages with the cursor', async () => {
    const { page, errors } = await open('/?limit=2', 'timeline-page-1');
    const seen = await titles(page);
    for (let more = 0; more < 5; more++) {
      const next = page.getByRole('link', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      await next.click();
      await page.waitForLoadState();
      seen.push(...(await titles(page)));
    }
    expect(seen).toEqual(SEED_IN_ORDER);
    await checked(page, errors, 'timeline-last-page');
  });

  it('reads right with JavaScript disabled, and its form still filters', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const { page, errors } = await watchedPage(context);
      await page.goto(`${runtime.url}/`);
      expect(await titles(page)).toEqual(SEED_IN_ORDER);
      await page.getByLabel('Council meeting').check();
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/kind=council-meeting/);
      expect(await titles(page)).toEqual([SEED_IN_ORDER.at(-1)]);
      await screenshot(page, 'timeline-no-javascript');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('answers bad input with a page that says what to correct', async () => {
    const { page, check } = await open('/?from=2024-13', 'timeline-bad-input', 400);
    expect(await page.getByRole('alert').textContent()).toContain('from:');
    await check();
  });
});

describe('an event page', () => {
  it('opens from the timeline and shows the event, its sources and when it last changed', async () => {
    const { page, errors } = await open('/', 'timeline-before-event');
    await page.getByRole('link', { name: 'Putin and Kim sign a Russia–North Korea pact' }).click();
    await page.waitForURL(/\/events\/[0-9A-Z]{26}$/);
    expect(await page.locator('h1').textContent()).toBe(
      'Putin and Kim sign a Russia–North Korea pact with mutual military assistance',
    );
    expect(await page.locator('.when').first().textContent()).toBe('19 June 2024');
    expect(await page.getByText('Last changed').count()).toBe(1);
    expect(await page.locator('ul.sources a').count()).toBeGreaterThan(0);
    await checked(page, errors, 'event');
  });

  it('answers an unknown event with a 404 page', async () => {
    const { check } = await open('/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6', 'event-not-found', 404);
    await check();
  });
});

describe('subscribing from a page', () => {
  it('sends a confirmation mail whose link opens a page whose button activates the subscription', async () => {
    const address = 'browser-reader@example.net';
    const { page, errors } = await open('/?kind=missile-launch&actor=KP', 'timeline-subscribe');
    await page.getByLabel('Email address').fill(address);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    await checked(page, errors, 'subscribe-sent');

    const mail = await mailTo(address, (text) => text.includes('/v1/subscriptions/confirm'));
    const link = linkIn(mail.text ?? '', '/v1/subscriptions/confirm');
    const confirm = await open(`${link.pathname}${link.search}`, 'confirm');
    expect(await confirm.page.locator('h1').textContent()).toBe('Confirm your subscription');
    expect(await confirm.page.locator('main').textContent()).toContain(address);
    await confirm.check();
    await confirm.page.getByRole('button', { name: 'Confirm' }).click();
    await confirm.page.waitForLoadState();
    expect(await confirm.page.locator('h1').textContent()).toBe('Subscription confirmed');
    await checked(confirm.page, confirm.errors, 'confirmed');

    // The subscription is active: a matching event is mailed, and its unsubscribe link works.
    const created = await fetch(`${runtime.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...seedEvents.find((event) => event.kind === 'missile-launch'),
        title: 'Another launch seen from the browser test',
      }),
    });
    expect(created.status).toBe(201);
    const alert = await mailTo(address, (text) => text.includes('Another launch seen from the browser test'));
    const unsubscribe = linkIn(alert.text ?? '', '/v1/unsubscribe');
    const leave = await open(`${unsubscribe.pathname}${unsubscribe.search}`, 'unsubscribe');
    expect(await leave.page.locator('main').textContent()).toContain(address);
    await leave.check();
    await leave.page.getByRole('button', { name: 'Unsubscribe' }).click();
    await leave.page.waitForLoadState();
    expect(await leave.page.locator('h1').textContent()).toBe('Unsubscribed');
    await checked(leave.page, leave.errors, 'unsubscribed');
  });

  it('from an event page, with its kind and actors ticked', async () => {
    const { page, errors } = await open('/', 'timeline-to-event');
    await page.getByRole('link', { name: /^Russia fires four/ }).click();
    await page.waitForURL(/\/events\//);
    expect(await page.getByRole('checkbox', { name: 'Missile launch' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'North Korea (KP)' }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: 'United States (US)' }).uncheck();
    await page.getByLabel('Email address').fill('event-reader@example.net');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.locator('main').textContent()).toContain(
      'involving Russia (RU) or North Korea (KP) or Ukraine (UA)',
    );
    await checked(page, errors, 'event-subscribe-sent');
  });
});
