import { describe, expect, it } from 'vitest';
import { describeFilter, feedAlternates, filterQuery } from '../../shared/feeds/feed-links.ts';

describe('filterQuery', () => {
  it('writes one filter one way: values sorted, dimensions in a fixed order', () => {
    const a = filterQuery({
      kinds: ['statement', 'missile-launch'],
      actors: ['RU', 'KP'],
      tags: [],
      from: '2024-06-01',
    });
    const b = filterQuery({
      from: '2024-06-01',
      tags: [],
      actors: ['KP', 'RU'],
      kinds: ['missile-launch', 'statement'],
    });
    expect(a).toBe(b);
    expect(a).toBe('?kind=missile-launch&kind=statement&actor=KP&actor=RU&from=2024-06-01');
  });

  it('is empty for the whole timeline', () => {
    expect(filterQuery({ kinds: [], actors: [], tags: [] })).toBe('');
  });
});

describe('describeFilter', () => {
  it('names each filter in words', () => {
    expect(
      describeFilter({
        kinds: ['missile-launch'],
        actors: ['KP'],
        tags: ['arms-embargo'],
        from: '2024-06-01',
        q: 'debris',
      }),
    ).toBe('Missile launch; actor KP; tag arms-embargo; from 2024-06-01; “debris”');
  });
});

describe('feedAlternates', () => {
  it('links the four feeds with the page’s filters, leaving out its order, cursor and empty fields', () => {
    const links = feedAlternates({
      kind: ['pact-signing', 'resolution'],
      actor: 'KP',
      q: '',
      order: 'desc',
      cursor: 'abc',
    });
    expect(links.map((link) => [link.type, link.href])).toEqual([
      ['application/atom+xml', '/v1/feeds/events.atom?kind=pact-signing&kind=resolution&actor=KP'],
      ['application/rss+xml', '/v1/feeds/events.rss?kind=pact-signing&kind=resolution&actor=KP'],
      ['application/feed+json', '/v1/feeds/events.json?kind=pact-signing&kind=resolution&actor=KP'],
      ['text/calendar', '/v1/feeds/events.ics?kind=pact-signing&kind=resolution&actor=KP'],
    ]);
  });

  it('links the whole timeline’s feeds from an unfiltered page', () => {
    expect(feedAlternates({}).map((link) => link.href)).toEqual([
      '/v1/feeds/events.atom',
      '/v1/feeds/events.rss',
      '/v1/feeds/events.json',
      '/v1/feeds/events.ics',
    ]);
  });
});
