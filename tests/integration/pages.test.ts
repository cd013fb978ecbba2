import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedOnce } from '../../shared/seed/load-seed.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/web/layout.ts';
import { ICARO_PHOTO_URL } from '../fixtures/events.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;

beforeAll(async () => {
  stack = await startAlertStack();
  await loadSeedOnce(stack.table, stack.events);
});
afterAll(async () => {
  await stack?.close();
});

/** What Chromium sends when it navigates. */
const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
};

const get = (path: string, headers: Record<string, string> = BROWSER) => stack.app.request(path, { headers });

async function page(path: string, status = 200): Promise<string> {
  const response = await get(path);
  const body = await response.text();
  expect(response.status, body).toBe(status);
  expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  return body;
}

/** The titles of the events a timeline page lists, in its order. */
const listed = (html: string) =>
  [...html.matchAll(/<h2><a href="\/events\/[0-9A-Z]{26}">([^<]+)<\/a>/g)].map((m) => m[1]!);

const SEED_IN_ORDER = [
  'Draft Security Council resolution to lift some sanctions on North Korea is never put to a vote',
  'Russia launches its full-scale invasion of Ukraine',
  'Debris of a North Korean Hwasong-11 ballistic missile found in Kharkiv',
  'Russia fires four possibly North Korean-supplied ballistic missiles at Ukraine',
  'Putin and Kim sign a Russia–North Korea pact with mutual military assistance',
  'US, UK and France accuse Russia at the UN Security Council of breaking the arms embargo on North Korea',
];

describe('GET / (the timeline page)', () => {
  it('lists the seed timeline in timeline order', async () => {
    expect(listed(await page('/'))).toEqual(SEED_IN_ORDER);
  });

  it('sends the page headers: CSP, nosniff, frame-ancestors none, a Referrer-Policy', async () => {
    const response = await get('/');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('needs nothing the CSP forbids: no inline script or style', async () => {
    const html = await page('/');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('writes each date in words as the sources allow it', async () => {
    const html = await page('/');
    for (const words of [
      'December 2019',
      '24 February 2022',
      'January 2024',
      'between 10 and 20 June 2024',
    ]) {
      expect(html).toContain(`<span class="when">${words}</span>`);
    }
  });

  it('names actors with their country names and codes, roles, places and sources as links', async () => {
    const html = await page('/');
    expect(html).toContain('<a href="/?actor=KP">North Korea</a> <span class="code">KP</span>');
    expect(html).toContain('<span class="muted">&mdash; invading state</span>');
    expect(html).toContain('Kharkiv, Ukraine <span class="code">UA</span>');
    expect(html).toContain(`<a href="${ICARO_PHOTO_URL.replaceAll('&', '&amp;')}">`);
    expect(html).toContain('ICARO Media Group, 28 June 2024 22:45 UTC');
  });

  it('draws an overview of the page and each event on the same axis', async () => {
    const html = await page('/');
    expect(html).toMatch(
      /<svg viewBox="0 0 1000 74" role="img" aria-labelledby="overview-title"><title id="overview-title">6 events on this page, between December 2019 and June 2024/,
    );
    expect(html.match(/<div class="span-line"><svg /g)).toHaveLength(6);
  });

  it('filters with the form: a kind, an actor, a date range, text', async () => {
    expect(listed(await page('/?kind=missile-launch'))).toEqual([SEED_IN_ORDER[3]]);
    expect(listed(await page('/?actor=UA'))).toEqual([SEED_IN_ORDER[1], SEED_IN_ORDER[2], SEED_IN_ORDER[3]]);
    expect(listed(await page('/?from=2024-06&to=2024-06'))).toEqual(SEED_IN_ORDER.slice(3));
    expect(listed(await page('/?q=Hwasong'))).toEqual([SEED_IN_ORDER[2]]);
    expect(listed(await page('/?order=desc&kind=pact-signing&kind=council-meeting'))).toEqual([
      SEED_IN_ORDER[5],
      SEED_IN_ORDER[4],
    ]);
  });

  it('reads the fields a form leaves empty as no filter', async () => {
    const html = await page('/?kind=council-meeting&actor=&actor=&tag=&from=&to=&q=&order=asc&limit=50');
    expect(listed(html)).toEqual([SEED_IN_ORDER[5]]);
  });

  it('shows the filter it applied back in the form', async () => {
    const html = await page('/?kind=missile-launch&actor=KP&from=2024');
    expect(html).toContain('<input type="checkbox" name="kind" value="missile-launch" checked>');
    expect(html).toContain('<input id="filter-actor" type="text" name="actor" value="KP" list="countries"');
    expect(html).toContain('<input id="filter-from" type="text" name="from" value="2024"');
  });

  it('pages with the cursor, as /v1/events does', async () => {
    const seen: string[] = [];
    let path = '/?limit=2';
    for (let pages = 0; pages < 5; pages++) {
      const html = await page(path);
      seen.push(...listed(html));
      const next = /<a rel="next" href="([^"]+)">Next page<\/a>/.exec(html)?.[1];
      if (!next) break;
      path = next.replaceAll('&amp;', '&');
      expect(path).toMatch(/^\/\?limit=2&cursor=/);
    }
    expect(seen).toEqual(SEED_IN_ORDER);
  });

  it('refuses bad input with the API strictness, as a page naming the field, status 400', async () => {
    for (const [query, field] of [
      ['from=2024-13', 'from'],
      ['kind=rumour', 'kind'],
      ['limit=0x10', 'limit'],
      ['limit=500', 'limit'],
      ['cursor=forged', 'cursor'],
      ['order=sideways', 'order'],
    ] as const) {
      const html = await page(`/?${query}`, 400);
      expect(html).toMatch(new RegExp(`<div class="errors" role="alert"[^>]*>.*<li>${field}: `, 's'));
      // The form is there to correct it, with what was typed.
      expect(html).toContain('<form class="filters" method="get" action="/"');
    }
  });

  it('says so when nothing matches', async () => {
    expect(await page('/?kind=other')).toContain('No events match these filters');
  });

  it('escapes what events say', async () => {
    await stack.events.create(
      alertEventInput({ title: '<script>alert("x")</script> & co', tags: ['escaping'] }),
    );
    const html = await page('/?tag=escaping');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(html).not.toContain('<script>alert');
  });

  it('carries the filter into its subscribe form', async () => {
    const html = await page('/?kind=missile-launch&actor=KP&from=2024');
    expect(html).toContain('<form method="post" action="/subscribe">');
    expect(html).toContain('<input type="hidden" name="kind" value="missile-launch">');
    expect(html).toContain('<input type="hidden" name="actor" value="KP">');
    expect(html).toContain('Alerts for <strong>kind Missile launch; involving North Korea (KP)</strong>');
    expect(html).toContain('the dates of this page are not part of it');
  });
});

describe('GET /events/{id}', () => {
  async function seedEvent(title: string) {
    const { items } = (await (await get('/v1/events?limit=50', {})).json()) as {
      items: { id: string; title: string }[];
    };
    return items.find((item) => item.title === title)!;
  }

  it('shows everything the event holds, when it last changed, and its sources', async () => {
    const event = await seedEvent(SEED_IN_ORDER[2]!);
    const html = await page(`/events/${event.id}`);
    expect(html).toContain(`<h1 id="event-title">${SEED_IN_ORDER[2]}</h1>`);
    expect(html).toContain('<span class="when">January 2024</span>');
    expect(html).toContain(
      '<span class="code">2024-01</span> — any day from 1 January 2024 to 31 January 2024',
    );
    expect(html).toContain('UN sanctions monitors');
    expect(html).toContain('49.9935, 36.2304');
    expect(html).toMatch(
      /<dt>Last changed<\/dt><dd>first recorded \d{1,2} \w+ \d{4} \d\d:\d\d UTC, unchanged since/,
    );
    expect(html).toContain(`<a href="/v1/events/${event.id}">This event as JSON</a>`);
  });

  it('offers a subscribe form prefilled with its kind and actors', async () => {
    const event = await seedEvent(SEED_IN_ORDER[3]!);
    const html = await page(`/events/${event.id}`);
    expect(html).toContain('<input type="checkbox" name="kind" value="missile-launch" checked>');
    for (const code of ['RU', 'KP', 'UA', 'US']) {
      expect(html).toContain(`<input type="checkbox" name="actor" value="${code}" checked>`);
    }
  });

  it('answers an unknown or malformed id with a 404 page', async () => {
    expect(await page('/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6', 404)).toContain('<h1>Nothing here</h1>');
    expect(await page('/events/not-an-id', 404)).toContain('<h1>Nothing here</h1>');
  });
});

describe('errors by content negotiation', () => {
  it('gives a browser an HTML error page on the API paths too', async () => {
    const response = await get('/v1/events?limit=abc');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await response.text()).toContain('<li>limit: must be a whole number');
  });

  it('keeps problem+json for API clients', async () => {
    for (const accept of ['application/json', '*/*', undefined]) {
      const response = await get('/v1/events?limit=abc', accept ? { accept } : {});
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers an unknown path with a 404 page for a browser, problem+json for a client', async () => {
    const html = await get('/no/such/page');
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const json = await get('/no/such/page', { accept: 'application/json' });
    expect(json.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers the errors of a page path as problem+json when JSON is asked for above HTML', async () => {
    const missing = await get('/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6', { accept: 'application/json' });
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect((await get('/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6', {})).headers.get('content-type')).toMatch(
      /^text\/html/,
    );
  });

  it('answers the timeline form errors as the page, with the form to correct them', async () => {
    const response = await get('/?limit=abc', { accept: 'application/json' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('the stylesheet and the icon', () => {
  it('serves the stylesheet the pages link to with a year of immutable cache', async () => {
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(await page('/'))![1]!;
    expect(href).toMatch(/^\/assets\/dateline\.[\w-]{10}\.css$/);
    const response = await get(href);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toContain('ol.timeline');
  });

  it('answers another name under /assets with 404', async () => {
    expect((await get('/assets/dateline.0000000000.css')).status).toBe(404);
  });

  it('serves a favicon', async () => {
    const response = await get('/favicon.ico');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
  });
});
