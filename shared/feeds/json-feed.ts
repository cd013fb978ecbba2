import type { FeedEntry } from './feed-entry.ts';
import { type FeedMeta, feedHead } from './feed-meta.ts';

/**
 * JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written here: the `feed` library writes
 * version 1 (a single `author`, no `language`). Items carry both `content_html` and
 * `content_text`, `date_published` and `date_modified` (RFC 3339), the feed and each item
 * `language`, and the event's own date fields under the `_dateline` extension (keys beginning
 * with an underscore are the specification's extensions).
 */

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export interface JsonFeedItem {
  id: string;
  url: string;
  external_url?: string;
  title: string;
  content_html: string;
  content_text: string;
  summary: string;
  date_published: string;
  date_modified: string;
  tags: string[];
  language: string;
  _dateline: {
    about: string;
    date: string;
    date_in_words: string;
    earliest: string;
    latest: string;
    precision: string;
    kind: string;
    sources: FeedEntry['sources'];
  };
}

export interface JsonFeed {
  version: typeof JSON_FEED_VERSION;
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  language: string;
  authors: { name: string; url: string }[];
  items: JsonFeedItem[];
}

export function jsonFeed(entries: readonly FeedEntry[], meta: FeedMeta): JsonFeed {
  const head = feedHead(meta, 'json');
  const about = `${meta.baseUrl}/docs`;
  return {
    version: JSON_FEED_VERSION,
    title: head.title,
    home_page_url: head.homeUrl,
    feed_url: head.selfUrl,
    description: head.description,
    language: 'en',
    authors: [{ name: head.author.name, url: head.author.link }],
    items: entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      // The first source is where the event is reported: the item's "external" link.
      ...(entry.sources[0] ? { external_url: entry.sources[0].url } : {}),
      title: entry.title,
      content_html: entry.contentHtml,
      content_text: entry.contentText,
      summary: entry.summaryText,
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      tags: [entry.kind.term, ...entry.tags],
      language: 'en',
      _dateline: {
        about,
        date: entry.event.date,
        date_in_words: entry.dateInWords,
        earliest: entry.event.earliest,
        latest: entry.event.latest,
        precision: entry.event.precision,
        kind: entry.event.kind,
        sources: entry.sources,
      },
    })),
  };
}

/** The JSON Feed document as served. */
export const renderJsonFeed = (entries: readonly FeedEntry[], meta: FeedMeta) =>
  `${JSON.stringify(jsonFeed(entries, meta), null, 2)}\n`;
