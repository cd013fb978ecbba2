import type { Context } from 'hono';
import type { TimelineEvent } from '../domain/event.ts';
import {
  FEED_MEDIA_TYPES,
  type FeedFilter,
  type FeedFormat,
  feedPath,
  TIMELINEJS_PATH,
} from '../feeds/feed-links.ts';
import { isNotModified, type Validators, validatorHeaders } from './conditional-get.ts';
import type { AppDeps } from './context.ts';
import { listEntityTag } from './entity-tags.ts';
import {
  conditionalGetHeaders,
  feedQuerySchema,
  icalendarSchema,
  jsonFeedSchema,
  timelineJsSchema,
  xmlFeedSchema,
} from './feed-schemas.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes, ResponseSpec } from './route.ts';
import { timelineQuerySchema } from './schemas.ts';
import { listTimeline, type TimelineQuery, timelineFilters } from './timeline-listing.ts';

/**
 * The timeline as feeds (Atom, RSS, JSON Feed: the latest changes; iCalendar: the events by date)
 * and as TimelineJS JSON, with the timeline's own filters. Thin: read the events, answer 304 from
 * their ids and versions before anything is rendered, else load the format's renderer (and its
 * library) on first use and render.
 */

/** Bump when the renderers' output changes, so that caches holding the old one revalidate to it. */
const RENDERING = 'r1';

/** Feeds may be cached a minute; past that a client revalidates (a 304 costs the reads, not the render). */
const CACHE_CONTROL = 'public, max-age=60';

const FORMAT_NAMES: Record<FeedFormat, string> = {
  atom: 'Atom 1.0',
  rss: 'RSS 2.0',
  json: 'JSON Feed 1.1',
  ics: 'iCalendar',
};

/** The response headers every export sends, as the document lists them. */
const VALIDATOR_HEADERS = {
  ETag: "A weak entity tag of the answer's events and versions, for If-None-Match",
  'Last-Modified':
    "The later of its newest event's change and the timeline's last change (so a deletion moves it too; none when it lists no event), for If-Modified-Since",
  'Cache-Control': 'public, max-age=60',
};

/**
 * The validators of a list of events: a weak ETag from their ids and versions; Last-Modified the
 * newest of their changes and the timeline's last one (`latest`), since a deletion, or an event
 * leaving the filter, changes the list without leaving a newer event in it. None for an empty list.
 */
function validatorsOf(events: readonly TimelineEvent[], salt: string, latest: Date | undefined): Validators {
  let newest: string | undefined;
  for (const event of events) if (newest === undefined || event.updatedAt > newest) newest = event.updatedAt;
  const lastModified =
    newest === undefined ? undefined : new Date(Math.max(Date.parse(newest), latest?.getTime() ?? 0));
  return {
    // The salt stands where the list's tag takes a next key: what else the representation depends on.
    etag: listEntityTag(events, salt),
    ...(lastModified ? { lastModified } : {}),
  };
}

/** A feed's query read as the timeline reads its own (same normalisation, same errors). */
const feedFilters = (query: Omit<TimelineQuery, 'order' | 'cursor'>) =>
  timelineFilters({ ...query, order: 'desc' });

async function render(format: FeedFormat, events: TimelineEvent[], filter: FeedFilter, baseUrl: string) {
  const { feedEntry } = await import('../feeds/feed-entry.ts');
  const entries = events.map((event) => feedEntry(event, baseUrl));
  const updated = entries.reduce<Date | undefined>(
    (newest, entry) => (!newest || entry.updated > newest ? entry.updated : newest),
    undefined,
  );
  const meta = { baseUrl, filter, updated: updated ?? new Date() };
  switch (format) {
    case 'atom':
      return (await import('../feeds/syndication.ts')).renderAtom(entries, meta);
    case 'rss':
      return (await import('../feeds/syndication.ts')).renderRss(entries, meta);
    case 'json':
      return (await import('../feeds/json-feed.ts')).renderJsonFeed(entries, meta);
    case 'ics':
      return (await import('../feeds/icalendar.ts')).renderICalendar(entries, meta);
  }
}

const feedSchemas: Record<FeedFormat, ResponseSpec['content']> = {
  atom: { [FEED_MEDIA_TYPES.atom]: { schema: xmlFeedSchema } },
  rss: { [FEED_MEDIA_TYPES.rss]: { schema: xmlFeedSchema } },
  json: { [FEED_MEDIA_TYPES.json]: { schema: jsonFeedSchema } },
  ics: { [FEED_MEDIA_TYPES.ics]: { schema: icalendarSchema } },
};

export function registerFeedRoutes(api: ApiRoutes, deps: AppDeps): void {
  const baseUrlOf = (c: Context) => deps.publicUrl ?? new URL(c.req.url).origin;

  for (const format of ['atom', 'rss', 'json', 'ics'] as const) {
    const byDate = format === 'ics';
    api.route(
      {
        method: 'get',
        path: feedPath(format),
        tags: ['Feeds'],
        summary: `The timeline as ${FORMAT_NAMES[format]}`,
        description: byDate
          ? 'The events matching the timeline filters, latest dates first (at most `limit`), each an all-day VEVENT from the first to the last day its date can mean (DTEND exclusive); approximate, uncertain, ongoing and unknown ends are said in its SUMMARY. ETag and Last-Modified; If-None-Match or If-Modified-Since → 304.'
          : 'The events matching the timeline filters that changed most recently, newest change first (at most `limit`), each with its date in words, its sources and a link to its page. ETag and Last-Modified; If-None-Match or If-Modified-Since → 304.',
        request: { query: feedQuerySchema, headers: conditionalGetHeaders },
        responses: {
          200: {
            description: `The ${FORMAT_NAMES[format]} document`,
            content: feedSchemas[format],
            headers: VALIDATOR_HEADERS,
          },
          304: {
            description: 'Not modified since the ETag or date the request names',
            headers: VALIDATOR_HEADERS,
          },
          ...problemResponses(400),
        },
      },
      async (c, input) => {
        const { limit } = input.query;
        const filter = feedFilters(input.query);
        const baseUrl = baseUrlOf(c);
        const [events, latest] = await Promise.all([
          byDate
            ? deps.events.list({ ...filter, order: 'desc', limit }).then((page) => page.items)
            : deps.events.recentChanges({ ...filter, limit }).then((page) => page.items),
          deps.events.latestChangeAt(),
        ]);
        const validators = validatorsOf(events, `${format}|${RENDERING}|${baseUrl}`, latest);
        const headers = { ...validatorHeaders(validators), 'cache-control': CACHE_CONTROL };
        if (isNotModified(input.headers, validators)) return c.body(null, 304, headers);
        const body = await render(format, events, filter, baseUrl);
        return c.body(body, 200, {
          ...headers,
          'content-type': `${FEED_MEDIA_TYPES[format]}; charset=utf-8`,
        });
      },
    );
  }

  api.route(
    {
      method: 'get',
      path: TIMELINEJS_PATH,
      tags: ['Feeds'],
      summary: 'The timeline as TimelineJS JSON',
      description:
        'The same query as GET /v1/events (filters, order, limit, cursor), as a TimelineJS 3 document: one slide per event, start_date and end_date with only the parts its precision knows, display_date in words, group the kind. A following page is linked with Link: rel="next". ETag and Last-Modified; If-None-Match or If-Modified-Since → 304.',
      request: { query: timelineQuerySchema, headers: conditionalGetHeaders },
      responses: {
        200: {
          description: 'The TimelineJS document',
          content: { 'application/json': { schema: timelineJsSchema } },
          headers: { ...VALIDATOR_HEADERS, Link: 'The next page (rel="next") when more events follow' },
        },
        304: {
          description: 'Not modified since the ETag or date the request names',
          headers: VALIDATOR_HEADERS,
        },
        ...problemResponses(400),
      },
    },
    async (c, input) => {
      const filter = timelineFilters(input.query);
      const [page, latest] = await Promise.all([
        listTimeline(deps, input.query, filter),
        deps.events.latestChangeAt(),
      ]);
      const baseUrl = baseUrlOf(c);
      const validators = validatorsOf(
        page.items,
        `timelinejs|${RENDERING}|${baseUrl}|${page.nextCursor ?? ''}`,
        latest,
      );
      const headers: Record<string, string> = {
        ...validatorHeaders(validators),
        'cache-control': CACHE_CONTROL,
      };
      if (page.nextCursor) {
        const next = new URL(c.req.url);
        next.searchParams.set('cursor', page.nextCursor);
        headers.link = `<${baseUrl}${TIMELINEJS_PATH}${next.search}>; rel="next"`;
      }
      if (isNotModified(input.headers, validators)) return c.body(null, 304, headers);
      const { timelineJs } = await import('../feeds/timelinejs.ts');
      return c.json(timelineJs(page.items, filter), 200, headers);
    },
  );
}
