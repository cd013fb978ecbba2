import type { Category, Feed, Item } from 'feed';
import type { FeedEntry } from './feed-entry.ts';
import { type FeedMeta, feedHead } from './feed-meta.ts';
import { importPackage } from './packages.ts';
import { escapeHtml, xmlText } from './words.ts';

/**
 * Atom 1.0 (RFC 4287) and RSS 2.0 from feed entries, written by the `feed` library. What the
 * library leaves to its caller is done here: its titles and summaries go out as HTML in CDATA, so
 * they are escaped first (which also keeps `]]>` out of a CDATA section, which the library splits
 * only once); the feed's `updated` is the newest entry's, not the time of the request; every
 * Atom entry has an author through the feed's; RSS items name no author, as RSS wants an email.
 */

/** Escapes what HTML needs in a title, not quotes: an RSS title is often shown as text. */
const titleHtml = (title: string) => title.replace(/[&<>]/g, (c) => escapeHtml(c));

/** An attribute value as the library writes it: it escapes `&` and `"` but not `<`, which XML forbids there. */
const attribute = (value: string) => value.replaceAll('<', '');

/** Kind, tags and actors as categories: the scheme plus the term is the filtered timeline's URL. */
function categories(entry: FeedEntry, baseUrl: string): Category[] {
  const scheme = (name: string) => `${baseUrl}/v1/events?${name}=`;
  const category = (term: string, name: string, dimension: string) => ({
    term: attribute(term),
    name: attribute(name),
    scheme: scheme(dimension),
  });
  return [
    category(entry.kind.term, entry.kind.label, 'kind'),
    ...entry.tags.map((tag) => category(tag, tag, 'tag')),
    ...entry.actors.map((actor) => category(actor.key, actor.label, 'actor')),
  ];
}

async function newFeed(meta: FeedMeta, format: 'atom' | 'rss'): Promise<Feed> {
  const head = feedHead(meta, format);
  const { Feed } = await importPackage<typeof import('feed')>('feed');
  return new Feed({
    id: head.selfUrl,
    title: xmlText(head.title),
    description: xmlText(head.description),
    link: head.homeUrl,
    feedLinks: { [format]: head.selfUrl },
    updated: meta.updated,
    language: 'en',
    author: head.author,
    generator: 'Dateline',
  });
}

/** An Atom 1.0 document of the entries, in the order given. */
export async function renderAtom(entries: readonly FeedEntry[], meta: FeedMeta): Promise<string> {
  const feed = await newFeed(meta, 'atom');
  for (const entry of entries) {
    feed.addItem({
      id: entry.id,
      link: entry.url,
      title: titleHtml(entry.title),
      date: entry.updated,
      published: entry.published,
      description: escapeHtml(entry.summaryText),
      content: entry.contentHtml,
      category: categories(entry, meta.baseUrl),
    } satisfies Item);
  }
  return feed.atom1();
}

/** An RSS 2.0 document of the entries, in the order given; each item's pubDate is when it last changed. */
export async function renderRss(entries: readonly FeedEntry[], meta: FeedMeta): Promise<string> {
  const feed = await newFeed(meta, 'rss');
  for (const entry of entries) {
    feed.addItem({
      guid: entry.id,
      link: entry.url,
      title: titleHtml(entry.title),
      date: entry.updated,
      description: escapeHtml(entry.summaryText),
      content: entry.contentHtml,
      category: categories(entry, meta.baseUrl).map((category) => ({
        name: category.term,
        domain: category.scheme,
      })),
    } satisfies Item);
  }
  return feed.rss2();
}
