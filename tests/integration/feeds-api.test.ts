import { parseFeed } from '@rowanmanning/feed-parser';
import { parseJsonFeed } from 'feedsmith';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput, TimelineEvent } from '../../shared/domain/event.ts';
import { dateInWords } from '../../shared/feeds/words.ts';
import { eventInput, organisation, state } from '../fixtures/events.ts';
import {
  bearer,
  eventsPath,
  jsonRequest,
  listAll,
  type ProblemBody,
  startTestStack,
  type TestStack,
} from '../support/test-app.ts';

const PUBLIC_URL = 'https://dateline.example.org';

/** A small timeline, created in this order (so the latest change first is the reverse of it). */
const TIMELINE: EventInput[] = [
  eventInput({
    title: 'Invasion',
    kind: 'military-action',
    date: '2022-02-24/..',
    actors: [state('RU'), state('UA')],
    tags: ['russia-ukraine-war'],
  }),
  eventInput({
    title: 'Draft resolution',
    kind: 'resolution',
    date: '2019-12',
    actors: [state('RU'), state('CN')],
    tags: ['dprk-sanctions'],
  }),
  eventInput({
    title: 'Debris found',
    kind: 'missile-finding',
    date: '2024-01',
    actors: [state('KP'), state('UA')],
    tags: ['hwasong-11', 'arms-embargo'],
  }),
  eventInput({
    title: 'Missiles fired mid-June',
    kind: 'missile-launch',
    date: '2024-06-10/2024-06-20',
    actors: [state('KP'), state('RU')],
    tags: ['ballistic-missiles'],
  }),
  eventInput({
    title: 'Pact signed',
    kind: 'pact-signing',
    date: '2024-06-19',
    actors: [state('RU'), state('KP'), organisation('Kremlin')],
    tags: ['russia-dprk-pact'],
  }),
  eventInput({
    title: 'Council meets',
    kind: 'council-meeting',
    date: '2024-06-28',
    actors: [state('US'), state('RU')],
    tags: ['arms-embargo'],
    summary: 'Allies accuse Russia of breaking the embargo.',
  }),
];

let stack: TestStack;
let created: TimelineEvent[];

beforeAll(async () => {
  stack = await startTestStack({ publicUrl: PUBLIC_URL });
  created = [];
  for (const input of TIMELINE) created.push((await stack.events.create(input)).event);
});
afterAll(async () => {
  await stack?.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  return stack.app.request(path, { headers });
}

async function atomTitles(query = ''): Promise<string[]> {
  const response = await get(`/v1/feeds/events.atom${query}`);
  expect(response.status).toBe(200);
  return parseFeed(await response.text()).items.map((item) => item.title ?? '');
}

/** What the timeline lists for the same filter, as a set of titles. */
async function timelineTitles(query: string): Promise<string[]> {
  const all = await listAll(stack.app, `/v1/events?${query}${query ? '&' : ''}limit=200`);
  return all.map((event) => event.title).sort();
}

describe('GET /v1/feeds/events.atom, .rss, .json', () => {
  it('lists the latest changes first', async () => {
    expect(await atomTitles()).toEqual([...TIMELINE].reverse().map((input) => input.title));
  });

  it('moves an event to the top when it changes, with its new updated time', async () => {
    const oldest = created[1]!;
    const response = await stack.app.request(
      `/v1/events/${oldest.id}`,
      jsonRequest(
        'PATCH',
        { summary: 'Never put to a vote.' },
        { ...bearer(stack.writerKey), 'if-match': `"v${oldest.version}"` },
      ),
    );
    expect(response.status).toBe(200);
    const changed = (await response.json()) as TimelineEvent;
    created[1] = changed;
    const feed = parseFeed(await (await get('/v1/feeds/events.atom')).text());
    expect(feed.items[0]!.title).toBe('Draft resolution');
    expect(feed.items[0]!.updated?.toISOString()).toBe(changed.updatedAt);
    expect(feed.items.filter((item) => item.title === 'Draft resolution')).toHaveLength(1);
  });

  for (const query of [
    '?kind=missile-launch&kind=pact-signing',
    '?actor=KP',
    '?tag=arms-embargo',
    '?from=2024-06&to=2024-06',
    '?q=embargo',
    '?actor=RU&tag=arms-embargo',
  ]) {
    it(`takes the timeline's filters: ${query}`, async () => {
      expect((await atomTitles(query)).sort()).toEqual(await timelineTitles(query.slice(1)));
    });
  }

  it('serves RSS 2.0 whose items are the same entries, with guids and the date in words', async () => {
    const response = await get('/v1/feeds/events.rss?actor=KP');
    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const feed = parseFeed(await response.text());
    expect(feed.meta.type).toBe('rss');
    const byTitle = new Map(created.map((event) => [event.title, event]));
    expect(feed.items.map((item) => item.title)).toEqual(await atomTitles('?actor=KP'));
    for (const item of feed.items) {
      const event = byTitle.get(item.title!)!;
      expect(item.id).toBe(`${PUBLIC_URL}/v1/events/${event.id}`);
      expect(item.url).toBe(`${PUBLIC_URL}/events/${event.id}`);
      expect(item.description).toContain(dateInWords(event));
      expect(item.content).toContain(event.sources[0]!.url);
    }
  });

  it('serves JSON Feed 1.1 with the same entries', async () => {
    const response = await get('/v1/feeds/events.json?tag=arms-embargo');
    expect(response.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const body = await response.text();
    expect(JSON.parse(body).version).toBe('https://jsonfeed.org/version/1.1');
    const feed = parseJsonFeed(body);
    expect(feed.items?.map((item) => item.title)).toEqual(await atomTitles('?tag=arms-embargo'));
    expect(feed.items?.every((item) => item.date_modified && item.content_html && item.url)).toBe(true);
  });

  it('names its content type for each format', async () => {
    expect((await get('/v1/feeds/events.atom')).headers.get('content-type')).toBe(
      'application/atom+xml; charset=utf-8',
    );
  });

  it('drops a deleted event', async () => {
    const { event } = await stack.events.create(
      eventInput({ title: 'Retracted report', tags: ['retracted'] }),
    );
    expect(await atomTitles('?tag=retracted')).toEqual(['Retracted report']);
    const response = await stack.app.request(`/v1/events/${event.id}`, {
      method: 'DELETE',
      headers: bearer(stack.writerKey),
    });
    expect(response.status).toBe(204);
    expect(await atomTitles('?tag=retracted')).toEqual([]);
  });
});

describe('GET /v1/feeds/events.ics', () => {
  it('is the timeline filter by date, latest first, each an all-day VEVENT ending the day after', async () => {
    const response = await get('/v1/feeds/events.ics?from=2024');
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    const vevents = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
    const timeline = await listAll(stack.app, eventsPath({ from: '2024', order: 'desc', limit: 200 }));
    expect(vevents.map((vevent) => vevent.uid)).toEqual(timeline.map((event) => `${event.id}@dateline`));
    const pact = vevents.find((vevent) => vevent.summary === 'Pact signed')!;
    expect([pact.startDate.toString(), pact.endDate.toString()]).toEqual(['2024-06-19', '2024-06-20']);
  });

  it('says an ongoing event is ongoing and shows it at its start', async () => {
    const calendar = new ICAL.Component(
      ICAL.parse(await (await get('/v1/feeds/events.ics?kind=military-action')).text()),
    );
    const [war] = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
    expect(war!.summary).toBe('Invasion (ongoing)');
    expect([war!.startDate.toString(), war!.endDate.toString()]).toEqual(['2022-02-24', '2022-02-25']);
  });
});

describe('conditional GET on the feeds', () => {
  for (const format of ['atom', 'rss', 'json', 'ics']) {
    it(`${format}: ETag and Last-Modified, 304 to either, 200 again after a change`, async () => {
      const path = `/v1/feeds/events.${format}?tag=russia-dprk-pact`;
      const first = await get(path);
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;
      expect(etag).toMatch(/^W\/"[^"]+"$/);
      // The timeline's last change (its change log), which is never before its newest entry's.
      expect(lastModified).toBe((await stack.events.latestChangeAt())!.toUTCString());
      expect(Date.parse(lastModified)).toBeGreaterThanOrEqual(
        Math.floor(Date.parse(created[4]!.updatedAt) / 1000) * 1000,
      );

      const byTag = await get(path, { 'if-none-match': etag });
      expect(byTag.status).toBe(304);
      expect(await byTag.text()).toBe('');
      expect(byTag.headers.get('etag')).toBe(etag);
      expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(304);
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
      expect(
        (await get(path, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status,
      ).toBe(200);
    });
  }

  it('answers 200 with a new ETag and Last-Modified once an entry changes', async () => {
    const path = '/v1/feeds/events.atom?tag=hwasong-11';
    const before = await get(path);
    const etag = before.headers.get('etag')!;
    const lastModified = before.headers.get('last-modified')!;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // Last-Modified counts whole seconds
    const debris = created[2]!;
    const { events } = stack;
    const changed = await events.update(debris.id, debris.version, (input) => ({
      ...input,
      summary: 'Confirmed by UN monitors.',
    }));
    created[2] = changed;
    const byTag = await get(path, { 'if-none-match': etag });
    expect(byTag.status).toBe(200);
    expect(byTag.headers.get('etag')).not.toBe(etag);
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(200);
  });
});

describe('bad filters', () => {
  for (const [query, path] of [
    ['kind=rumour', 'query.kind'],
    ['from=2024-13', 'query.from'],
    ['from=2024-07&to=2024-06', 'query.from'],
    ['limit=0', 'query.limit'],
    ['limit=1e1', 'query.limit'],
    ['limit=5&limit=6', 'query.limit'],
    ['q=%zz', 'query.q'],
  ] as const) {
    it(`refuses ${query} with a 400 problem naming ${path}`, async () => {
      for (const format of ['atom', 'rss', 'json', 'ics']) {
        const response = await get(`/v1/feeds/events.${format}?${query}`);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as ProblemBody;
        expect(problem.errors?.map((error) => error.path)).toContain(path);
      }
    });
  }

  it('refuses a malformed If-None-Match as the event routes do', async () => {
    expect((await get('/v1/feeds/events.atom', { 'if-none-match': 'not-a-tag' })).status).toBe(400);
  });
});

describe('the timeline page', () => {
  it('links the feeds of its filters with <link rel="alternate">, each of which answers', async () => {
    const response = await get('/?kind=pact-signing&actor=KP&order=desc', { accept: 'text/html' });
    expect(response.status).toBe(200);
    const links = [
      ...(await response.text()).matchAll(/<link rel="alternate" type="([^"]+)" href="([^"]+)"/g),
    ].map(([, type, href]) => ({ type: type!, href: href!.replaceAll('&amp;', '&') }));
    expect(links.map((link) => link.type)).toEqual([
      'application/atom+xml',
      'application/rss+xml',
      'application/feed+json',
      'text/calendar',
    ]);
    for (const link of links) {
      expect(new URL(link.href, PUBLIC_URL).search).toBe('?kind=pact-signing&actor=KP');
      const feed = await get(link.href);
      expect(feed.status).toBe(200);
      expect(feed.headers.get('content-type')).toBe(`${link.type}; charset=utf-8`);
    }
  });
});

describe('OpenAPI', () => {
  it('declares every export with its content type', async () => {
    const document = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const types = (path: string) => Object.keys(document.paths[path]?.get.responses['200']?.content ?? {});
    expect(types('/v1/feeds/events.atom')).toEqual(['application/atom+xml']);
    expect(types('/v1/feeds/events.rss')).toEqual(['application/rss+xml']);
    expect(types('/v1/feeds/events.json')).toEqual(['application/feed+json']);
    expect(types('/v1/feeds/events.ics')).toEqual(['text/calendar']);
    expect(types('/v1/timeline.json')).toEqual(['application/json']);
    for (const path of ['/v1/feeds/events.atom', '/v1/feeds/events.ics', '/v1/timeline.json']) {
      for (const status of ['200', '304']) {
        const response = document.paths[path]!.get.responses[status] as { headers?: object };
        const headers = response.headers ?? {};
        expect(Object.keys(headers), `${path} ${status}`).toEqual(
          expect.arrayContaining(['ETag', 'Last-Modified']),
        );
      }
    }
  });
});
