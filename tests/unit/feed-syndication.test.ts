import { parseFeed } from '@rowanmanning/feed-parser';
import { parseJsonFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import type { EventInput, TimelineEvent } from '../../shared/domain/event.ts';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { feedEntry } from '../../shared/feeds/feed-entry.ts';
import type { FeedMeta } from '../../shared/feeds/feed-meta.ts';
import { JSON_FEED_VERSION, renderJsonFeed } from '../../shared/feeds/json-feed.ts';
import { renderAtom, renderRss } from '../../shared/feeds/syndication.ts';
import { dateInWords } from '../../shared/feeds/words.ts';
import { eventInput, organisation, state } from '../fixtures/events.ts';

const BASE = 'https://dateline.example.org';

let counter = 0;
function storedEvent(overrides: Partial<EventInput>, updatedAt = '2024-07-01T10:00:00.000Z'): TimelineEvent {
  counter += 1;
  return materialiseEvent(eventInput(overrides), {
    id: `01J1Z8Q4Y6V3W2X1A0B9C8D7${String(counter).padStart(2, '0')}`,
    createdAt: '2024-06-30T08:00:00.000Z',
    updatedAt,
    version: 3,
  });
}

/** Markup, entities, a CDATA end (twice), quotes and a control character, which XML cannot carry. */
const TRICKY_TITLE = 'Talks <b>stall</b> & "resume" ]]> then ]]> &amp; again\u0001';
const TRICKY_READ = 'Talks <b>stall</b> & "resume" ]]> then ]]> &amp; again';

const events = [
  storedEvent({ title: TRICKY_TITLE, date: '2024-06-15~' }, '2024-07-03T09:30:00.000Z'),
  storedEvent(
    {
      title: 'Pact signed',
      kind: 'pact-signing',
      date: '2024-06-19',
      actors: [state('RU', 'signatory'), state('KP'), organisation('UN Security Council')],
      tags: ['russia-dprk-pact'],
    },
    '2024-07-02T12:00:00.000Z',
  ),
  storedEvent({ title: 'Debris found', date: '2024-01' }, '2024-07-01T00:00:00.000Z'),
];
const entries = events.map((event) => feedEntry(event, BASE));
const meta: FeedMeta = {
  baseUrl: BASE,
  filter: { kinds: [], actors: ['KP'], tags: [], from: '2024-01-01' },
  updated: entries[0]!.updated,
};

const [atomXml, rssXml] = await Promise.all([renderAtom(entries, meta), renderRss(entries, meta)]);

describe('renderAtom', () => {
  const parsed = parseFeed(atomXml);

  it('is an Atom 1.0 feed whose self link and id are the canonical URL of its filter', () => {
    expect(parsed.meta).toEqual({ type: 'atom', version: '1.0' });
    expect(parsed.self).toBe(`${BASE}/v1/feeds/events.atom?actor=KP&from=2024-01-01`);
    expect(parsed.url).toBe(`${BASE}/?actor=KP&from=2024-01-01`);
  });

  it('says the feed changed when its newest entry did, not when it was rendered', () => {
    expect(parsed.updated?.toISOString()).toBe('2024-07-03T09:30:00.000Z');
  });

  it('keeps the entries in the order given, each with its permanent id, page link and times', () => {
    expect(parsed.items.map((item) => item.id)).toEqual(events.map((e) => `${BASE}/v1/events/${e.id}`));
    expect(parsed.items.map((item) => item.url)).toEqual(events.map((e) => `${BASE}/events/${e.id}`));
    expect(parsed.items.map((item) => item.updated?.toISOString())).toEqual(events.map((e) => e.updatedAt));
    expect(parsed.items[0]!.published?.toISOString()).toBe(events[0]!.createdAt);
  });

  it('carries a title with markup, entities and CDATA ends as written, minus what XML cannot hold', () => {
    expect(parsed.items[0]!.title).toBe(TRICKY_READ);
  });

  it('gives each entry its date in words, its summary and its sources as links', () => {
    const [first] = parsed.items;
    expect(first!.description).toBe(`${dateInWords(events[0]!)}. ${events[0]!.summary}`);
    expect(first!.content).toContain(dateInWords(events[0]!));
    expect(first!.content).toContain(`<a href="${events[0]!.sources[0]!.url}">`);
  });

  it('names kind, tags and actors as categories whose scheme and term make the filtered timeline', () => {
    const pact = parsed.items[1]!;
    expect(pact.categories.map((c) => `${c.url}${c.term}`)).toEqual([
      `${BASE}/v1/events?kind=pact-signing`,
      `${BASE}/v1/events?tag=russia-dprk-pact`,
      `${BASE}/v1/events?actor=RU`,
      `${BASE}/v1/events?actor=KP`,
      `${BASE}/v1/events?actor=un-security-council`,
    ]);
  });

  it('has an author for every entry (through the feed, as RFC 4287 §4.1.1 allows)', () => {
    expect(parsed.authors.map((author) => author.name)).toEqual(['Dateline']);
  });
});

describe('renderRss', () => {
  const xml = rssXml;
  const parsed = parseFeed(xml);

  it('is an RSS 2.0 channel with its self link and when it was last built', () => {
    expect(parsed.meta).toEqual({ type: 'rss', version: '2.0' });
    expect(parsed.self).toBe(`${BASE}/v1/feeds/events.rss?actor=KP&from=2024-01-01`);
    expect(parsed.updated?.toISOString()).toBe('2024-07-03T09:30:00.000Z');
    expect(parsed.language).toBe('en');
  });

  it('gives each item a guid that is not a permalink, the page link and when it last changed', () => {
    expect(parsed.items.map((item) => item.id)).toEqual(events.map((e) => `${BASE}/v1/events/${e.id}`));
    expect(xml.match(/<guid isPermaLink="false">/g)).toHaveLength(events.length);
    expect(parsed.items.map((item) => item.url)).toEqual(events.map((e) => `${BASE}/events/${e.id}`));
    expect(parsed.items.map((item) => item.published?.toISOString())).toEqual(
      events.map((e) => e.updatedAt.replace(/\.\d{3}Z$/, '.000Z')),
    );
  });

  it('carries the tricky title and the date in words', () => {
    expect(parsed.items[0]!.title).toBe(TRICKY_READ);
    expect(parsed.items[2]!.description).toContain(dateInWords(events[2]!));
    expect(parsed.items[2]!.content).toContain('Sources:');
  });
});

describe('renderJsonFeed', () => {
  const text = renderJsonFeed(entries, meta);
  const raw = JSON.parse(text) as Record<string, unknown> & { items: Record<string, unknown>[] };
  const parsed = parseJsonFeed(raw);

  it('is JSON Feed 1.1: version, authors (not author), language', () => {
    expect(raw.version).toBe(JSON_FEED_VERSION);
    expect(raw).not.toHaveProperty('author');
    expect(parsed.authors).toEqual([{ name: 'Dateline', url: `${BASE}/` }]);
    expect(parsed.language).toBe('en');
    expect(parsed.feed_url).toBe(`${BASE}/v1/feeds/events.json?actor=KP&from=2024-01-01`);
  });

  it('gives every item an id, both contents, RFC 3339 dates published and modified, and its language', () => {
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    expect(parsed.items).toHaveLength(events.length);
    for (const [i, item] of (parsed.items ?? []).entries()) {
      expect(item.id).toBe(`${BASE}/v1/events/${events[i]!.id}`);
      expect(item.content_html).toContain(dateInWords(events[i]!));
      expect(item.content_text).toContain(events[i]!.sources[0]!.url);
      expect(item.date_published).toMatch(rfc3339);
      expect(item.date_modified).toBe(events[i]!.updatedAt);
      expect(item.language).toBe('en');
    }
  });

  it('keeps the event date as written under its _dateline extension', () => {
    expect(raw.items[0]!._dateline).toMatchObject({
      date: '2024-06-15~',
      precision: 'day',
      kind: 'missile-launch',
    });
    expect(parsed.items?.[0]?.title).toBe(TRICKY_READ);
  });
});
