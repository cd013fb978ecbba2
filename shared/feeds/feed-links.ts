import { kindLabel } from './words.ts';

/** Where each export lives and how a feed names its filter: shared by the feeds, their routes and the pages. */

/** The timeline's filters as the exports take them (resolved days for from/to, normalised values). */
export interface FeedFilter {
  from?: string;
  to?: string;
  kinds: readonly string[];
  actors: readonly string[];
  tags: readonly string[];
  q?: string;
}

export type FeedFormat = 'atom' | 'rss' | 'json' | 'ics';

export const feedFormats: readonly FeedFormat[] = ['atom', 'rss', 'json', 'ics'];

export const FEED_MEDIA_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml',
  rss: 'application/rss+xml',
  json: 'application/feed+json',
  ics: 'text/calendar',
};

const FORMAT_TITLES: Record<FeedFormat, string> = {
  atom: 'Atom',
  rss: 'RSS',
  json: 'JSON Feed',
  ics: 'iCalendar',
};

/** Path of a feed: `/v1/feeds/events.atom` and its siblings. */
export const feedPath = (format: FeedFormat) => `/v1/feeds/events.${format}`;

/** Path of the TimelineJS export. */
export const TIMELINEJS_PATH = '/v1/timeline.json';

/** The filter as a query string in one canonical order, so that one filter has one feed URL (and id). */
export function filterQuery(
  filter: FeedFilter,
  extra: Record<string, string | number | undefined> = {},
): string {
  const search = new URLSearchParams();
  for (const kind of [...filter.kinds].sort()) search.append('kind', kind);
  for (const actor of [...filter.actors].sort()) search.append('actor', actor);
  for (const tag of [...filter.tags].sort()) search.append('tag', tag);
  if (filter.from) search.append('from', filter.from);
  if (filter.to) search.append('to', filter.to);
  if (filter.q) search.append('q', filter.q);
  for (const [name, value] of Object.entries(extra))
    if (value !== undefined) search.append(name, String(value));
  const query = search.toString();
  return query ? `?${query}` : '';
}

/** The absolute URL of a feed of this filter. */
export const feedUrl = (baseUrl: string, format: FeedFormat, filter: FeedFilter) =>
  `${baseUrl}${feedPath(format)}${filterQuery(filter)}`;

/** The people's page of the timeline with this filter. */
export const timelinePageUrl = (baseUrl: string, filter: FeedFilter) => `${baseUrl}/${filterQuery(filter)}`;

/** An event's page, for people; its JSON is at `/v1/events/{id}`. */
export const eventPageUrl = (baseUrl: string, id: string) => `${baseUrl}/events/${id}`;
export const eventApiUrl = (baseUrl: string, id: string) => `${baseUrl}/v1/events/${id}`;

/** The filter in words: "Missile launch; actor KP; from 2024-06-01". Empty for the whole timeline. */
export function describeFilter(filter: FeedFilter): string {
  const parts: string[] = [];
  if (filter.kinds.length > 0) parts.push(filter.kinds.map(kindLabel).join(' or '));
  if (filter.actors.length > 0) parts.push(`actor ${filter.actors.join(' or ')}`);
  if (filter.tags.length > 0) parts.push(`tag ${filter.tags.join(' or ')}`);
  if (filter.from && filter.to) parts.push(`${filter.from} to ${filter.to}`);
  else if (filter.from) parts.push(`from ${filter.from}`);
  else if (filter.to) parts.push(`until ${filter.to}`);
  if (filter.q) parts.push(`“${filter.q}”`);
  return parts.join('; ');
}

/** The query parameters a feed takes from the timeline's: its filters. */
const FILTER_PARAMETERS = ['kind', 'actor', 'tag', 'from', 'to', 'q'] as const;

/**
 * A page's `<link rel="alternate">` targets for its query (the timeline form's parameters, as
 * given): the four feeds of the same filters, relative to the page. Other parameters (order,
 * cursor, limit) are the page's own and are left out.
 */
export function feedAlternates(
  query: Readonly<Record<string, string | readonly string[] | undefined>>,
): { href: string; type: string; title: string }[] {
  const search = new URLSearchParams();
  for (const name of FILTER_PARAMETERS) {
    const value = query[name];
    for (const one of value === undefined ? [] : typeof value === 'string' ? [value] : value) {
      if (one.trim() !== '') search.append(name, one);
    }
  }
  const suffix = search.size > 0 ? `?${search}` : '';
  const filtered = search.size > 0 ? ', filtered' : '';
  return feedFormats.map((format) => ({
    href: `${feedPath(format)}${suffix}`,
    type: FEED_MEDIA_TYPES[format],
    title: `Dateline timeline${filtered} (${FORMAT_TITLES[format]})`,
  }));
}
