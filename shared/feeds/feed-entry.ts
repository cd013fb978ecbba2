import { actorKey, type TimelineEvent } from '../domain/event.ts';
import { eventApiUrl, eventPageUrl } from './feed-links.ts';
import { actorLabel, dateInWords, escapeHtml, kindLabel, sourceByline, xmlText } from './words.ts';

/** One event as every feed format carries it: the words, the links and the times, built once. */
export interface FeedEntry {
  /** Permanent id: the event's API URL (RFC 4287 §4.2.6 asks for an IRI that never changes). */
  id: string;
  /** The event's page, for people. */
  url: string;
  title: string;
  dateInWords: string;
  /** One line of plain text: the date in words, then the summary. */
  summaryText: string;
  /** The whole entry as HTML: date, kind, summary, place, actors and every source as a link. */
  contentHtml: string;
  /** The same as plain text. */
  contentText: string;
  published: Date;
  updated: Date;
  kind: { term: string; label: string };
  tags: string[];
  /** Each actor's filter key (`?actor=`) and its name in words. */
  actors: { key: string; label: string }[];
  sources: TimelineEvent['sources'];
  event: TimelineEvent;
}

const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

function contentHtml(event: TimelineEvent, when: string): string {
  const parts = [`<p><strong>${escapeHtml(when)}</strong> · ${escapeHtml(kindLabel(event.kind))}</p>`];
  if (event.summary) parts.push(`<p>${escapeHtml(event.summary)}</p>`);
  if (event.location) {
    const country = event.location.country ? ` (${event.location.country})` : '';
    parts.push(`<p>Where: ${escapeHtml(event.location.name + country)}</p>`);
  }
  if (event.actors.length > 0) {
    parts.push(`<p>Who: ${event.actors.map((actor) => escapeHtml(actorLabel(actor))).join('; ')}</p>`);
  }
  const sources = event.sources.map((source) => {
    const title = escapeHtml(source.title);
    const linked = isWebUrl(source.url) ? `<a href="${escapeHtml(source.url)}">${title}</a>` : title;
    return `<li>${linked}, ${escapeHtml(sourceByline(source))}</li>`;
  });
  parts.push(`<p>Sources:</p><ul>${sources.join('')}</ul>`);
  return parts.join('');
}

function contentText(event: TimelineEvent, when: string): string {
  const lines = [`${when} · ${kindLabel(event.kind)}`];
  if (event.summary) lines.push('', event.summary);
  if (event.location) lines.push('', `Where: ${event.location.name}`);
  if (event.actors.length > 0) lines.push(`Who: ${event.actors.map(actorLabel).join('; ')}`);
  lines.push('', 'Sources:', ...event.sources.map((s) => `- ${s.title}, ${sourceByline(s)}: ${s.url}`));
  return lines.join('\n');
}

/** The feed entry of an event; every text is XML-safe (control characters dropped). */
export function feedEntry(event: TimelineEvent, baseUrl: string): FeedEntry {
  const when = dateInWords(event);
  const summary = event.summary ? `${when}. ${event.summary}` : when;
  return {
    id: eventApiUrl(baseUrl, event.id),
    url: eventPageUrl(baseUrl, event.id),
    title: xmlText(event.title),
    dateInWords: xmlText(when),
    summaryText: xmlText(summary),
    contentHtml: xmlText(contentHtml(event, when)),
    contentText: xmlText(contentText(event, when)),
    published: new Date(event.createdAt),
    updated: new Date(event.updatedAt),
    kind: { term: event.kind, label: kindLabel(event.kind) },
    tags: event.tags,
    actors: event.actors.map((actor) => ({
      key: actorKey(actor),
      label: xmlText(actorLabel(actor)),
    })),
    sources: event.sources,
    event,
  };
}
