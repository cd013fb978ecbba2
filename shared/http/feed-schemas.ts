import * as z from 'zod/mini';
import { lazy, meta, named } from './schema-meta.ts';
import { queryInteger, timelineQuerySchema } from './schemas.ts';

/** The exports' requests and, for the OpenAPI document, their answers. */

/**
 * A feed's query: the timeline's filters exactly (the same schema, so the same strictness and the
 * same errors), and how many entries. No order or cursor: a feed is its newest entries.
 */
export const feedQuerySchema = lazy(() =>
  z.extend(
    z.pick(timelineQuerySchema(), { from: true, to: true, kind: true, actor: true, tag: true, q: true }),
    {
      limit: meta(queryInteger(1, 200, 50), { description: 'How many entries (1–200, default 50)' }),
    },
  ),
);

export const conditionalGetHeaders = lazy(() =>
  z.object({
    'if-none-match': meta(z.optional(z.string()), {
      description: 'An ETag from an earlier answer: 304 while it still matches',
    }),
    'if-modified-since': meta(z.optional(z.string()), {
      description:
        'A Last-Modified from an earlier answer (ignored with If-None-Match): 304 if nothing changed since',
    }),
  }),
);

export const xmlFeedSchema = lazy(() => meta(z.string(), { description: 'The feed document' }));
export const icalendarSchema = lazy(() =>
  meta(z.string(), { description: 'An iCalendar (RFC 5545) VCALENDAR of all-day VEVENTs' }),
);

const jsonFeedAuthor = () => z.object({ name: z.string(), url: z.optional(z.string()) });

export const jsonFeedSchema = lazy(() =>
  named(
    'JsonFeed',
    z.object({
      version: z.literal('https://jsonfeed.org/version/1.1'),
      title: z.string(),
      home_page_url: z.string(),
      feed_url: z.string(),
      description: z.string(),
      language: z.string(),
      authors: z.array(jsonFeedAuthor()),
      items: z.array(
        z.object({
          id: z.string(),
          url: z.string(),
          external_url: z.optional(z.string()),
          title: z.string(),
          content_html: z.string(),
          content_text: z.string(),
          summary: meta(z.string(), { description: 'The date in words, then the summary' }),
          date_published: z.string(),
          date_modified: z.string(),
          tags: z.array(z.string()),
          language: z.string(),
          _dateline: meta(z.record(z.string(), z.unknown()), {
            description: "The event's date as written, its bounds and precision, kind and sources",
          }),
        }),
      ),
    }),
    { description: 'JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)' },
  ),
);

const timelineJsDate = () =>
  z.object({ year: z.int(), month: z.optional(z.int()), day: z.optional(z.int()) });
const timelineJsText = () => z.object({ headline: z.string(), text: z.string() });

export const timelineJsSchema = lazy(() =>
  named(
    'TimelineJs',
    z.object({
      title: z.object({ text: timelineJsText() }),
      events: z.array(
        z.object({
          start_date: timelineJsDate(),
          end_date: z.optional(timelineJsDate()),
          display_date: meta(z.string(), {
            description: 'The date in words',
            example: 'mid-June 2024 (approximate)',
          }),
          text: timelineJsText(),
          group: meta(z.string(), { description: 'The kind, in words', example: 'Missile launch' }),
          unique_id: z.string(),
        }),
      ),
    }),
    { description: 'TimelineJS 3 JSON (https://timeline.knightlab.com/docs/json-format.html)' },
  ),
);
