import { describeFilter, type FeedFilter, type FeedFormat, feedUrl, timelinePageUrl } from './feed-links.ts';

/** What a feed says about itself: its title, where it lives, when it last changed. */
export interface FeedMeta {
  /** Base of every link, without a trailing slash. */
  baseUrl: string;
  filter: FeedFilter;
  /** When the newest entry changed (or, for an empty feed, when it was made). */
  updated: Date;
}

/** The titles and links every format gives its feed. */
export function feedHead(meta: FeedMeta, format: FeedFormat) {
  const described = describeFilter(meta.filter);
  return {
    title: described ? `Dateline: ${described}` : 'Dateline',
    description: `The latest changes to the Dateline timeline of international affairs${
      described ? ` (${described})` : ''
    }, newest first, each with its date as the sources give it and its sources.`,
    selfUrl: feedUrl(meta.baseUrl, format, meta.filter),
    homeUrl: timelinePageUrl(meta.baseUrl, meta.filter),
    author: { name: 'Dateline', link: `${meta.baseUrl}/` },
  };
}
