/**
 * The pieces of an event both pages show: its date in words, actors, place, sources, tags. A page
 * holds up to 200 events, so these are built as plain strings with every value escaped here, not
 * through the `html` helper (whose per-value work made a page of 50 cost three JSON lists); the
 * pages embed the result with `raw`.
 */
import { escapeHtml } from '../delivery/email/html.ts';
import { humanCalendarDate, humanDateParts } from '../delivery/email/human-date.ts';
import type { Actor, Location, Source, TimelineEvent } from '../domain/event.ts';
import { memo } from './memo.ts';
import { countryName, kindLabel } from './names.ts';

/** Escapes text for element content and quoted attribute values. */
export const escapeText = escapeHtml;

type DatedFields = Pick<TimelineEvent, 'date' | 'earliest' | 'latest' | 'precision'>;

/** The date as the sources allow it, in words: "mid-June 2024, approximate", "between 10 and 20 June 2024". */
export const dateInWords = memo(
  (event: DatedFields) => {
    const precision = event.precision as Parameters<typeof humanDateParts>[3];
    const { text, notes } = humanDateParts(event.date, event.earliest, event.latest, precision);
    return [text, ...notes].join(', ');
  },
  (event) => `${event.date}\u0000${event.earliest}\u0000${event.latest}\u0000${event.precision}`,
);

/** "28 June 2024 22:45 UTC" for a timestamp; a bare date stays a date. */
export const timestampInWords = memo(
  (iso: string) => {
    const day = humanCalendarDate(iso) ?? iso;
    if (iso.length <= 10) return day;
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return day;
    const utc = new Date(ms).toISOString();
    return `${humanCalendarDate(utc)} ${utc.slice(11, 16)} UTC`;
  },
  (iso) => iso,
);

// Codes, kinds and tags need no encoding; names (with spaces, accents) do.
const PLAIN = /^[A-Za-z0-9_-]*$/;

/** A link to the timeline filtered by one value, as the filter form would make it (escaped for an attribute). */
export const filterHref = (name: 'kind' | 'actor' | 'tag', value: string) =>
  PLAIN.test(value) ? `/?${name}=${value}` : escapeText(`/?${name}=${encodeURIComponent(value)}`);

export const kindBadge = (kind: string): string =>
  `<a class="kind" href="${filterHref('kind', kind)}">${escapeText(kindLabel(kind))}</a>`;

export function actorItem(actor: Actor): string {
  const role = actor.role ? ` <span class="muted">&mdash; ${escapeText(actor.role)}</span>` : '';
  if (actor.type === 'state') {
    return `<li><a href="${filterHref('actor', actor.code)}">${escapeText(countryName(actor.code))}</a> <span class="code">${escapeText(actor.code)}</span>${role}</li>`;
  }
  return `<li><a href="${filterHref('actor', actor.name)}">${escapeText(actor.name)}</a>${role}</li>`;
}

export const actorList = (actors: Actor[]): string =>
  `<ul class="inline">${actors.map(actorItem).join('')}</ul>`;

export function placeText(location: Location): string {
  const country = location.country
    ? `, ${escapeText(countryName(location.country))} <span class="code">${escapeText(location.country)}</span>`
    : '';
  return `${escapeText(location.name)}${country}`;
}

export const tagList = (tags: string[]): string =>
  `<ul class="inline">${tags.map((tag) => `<li><a href="${filterHref('tag', tag)}">${escapeText(tag)}</a></li>`).join('')}</ul>`;

// Sources are validated as http(s) URLs when written; checked again so that no other scheme
// (javascript:, data:) can ever become a link.
const WEB_URL = /^https?:\/\//i;

/** A source as a link, its publisher and date. */
export function sourceItem(source: Source): string {
  const title = WEB_URL.test(source.url)
    ? `<a href="${escapeText(source.url)}">${escapeText(source.title)}</a>`
    : `${escapeText(source.title)} <span class="code">${escapeText(source.url)}</span>`;
  return `<li>${title} <span class="muted">&mdash; ${escapeText(source.publisher)}, ${escapeText(timestampInWords(source.publishedAt))}</span></li>`;
}

export const sourceList = (sources: Source[]): string =>
  `<ul class="sources">${sources.map(sourceItem).join('')}</ul>`;

/** The facts of an event as a definition list: who, where, tags, sources, then `extra` (markup). */
export function eventFacts(event: TimelineEvent, extra = ''): string {
  return `<dl class="facts">${event.actors.length > 0 ? `<dt>Actors</dt><dd>${actorList(event.actors)}</dd>` : ''}${
    event.location ? `<dt>Place</dt><dd>${placeText(event.location)}</dd>` : ''
  }${event.tags.length > 0 ? `<dt>Tags</dt><dd>${tagList(event.tags)}</dd>` : ''}<dt>Sources</dt><dd>${sourceList(event.sources)}</dd>${extra}</dl>`;
}
