/** The pieces of an event both pages show: its date in words, actors, place, sources, tags. */
import { html } from 'hono/html';
import { isWebUrl } from '../delivery/email/html.ts';
import { humanCalendarDate, humanDateParts } from '../delivery/email/human-date.ts';
import type { Actor, Location, Source, TimelineEvent } from '../domain/event.ts';
import type { Html } from './layout.ts';
import { countryName, kindLabel } from './names.ts';

/** The date as the sources allow it, in words: "mid-June 2024, approximate", "between 10 and 20 June 2024". */
export function dateInWords(
  event: Pick<TimelineEvent, 'date' | 'earliest' | 'latest' | 'precision'>,
): string {
  const { text, notes } = humanDateParts(
    event.date,
    event.earliest,
    event.latest,
    event.precision as Parameters<typeof humanDateParts>[3],
  );
  return [text, ...notes].join(', ');
}

/** "28 June 2024, 22:45 UTC" for a timestamp; a bare date stays a date. */
export function timestampInWords(iso: string): string {
  const day = humanCalendarDate(iso) ?? iso;
  if (iso.length <= 10) return day;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return day;
  return `${humanCalendarDate(new Date(ms).toISOString())} ${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** A link to the timeline filtered by one value, as the filter form would make it. */
export const filterHref = (name: 'kind' | 'actor' | 'tag', value: string) =>
  `/?${new URLSearchParams({ [name]: value })}`;

export function kindBadge(kind: string): Html {
  return html`<a class="kind" href="${filterHref('kind', kind)}">${kindLabel(kind)}</a>`;
}

export function actorItem(actor: Actor): Html {
  const role = actor.role ? html` <span class="muted">— ${actor.role}</span>` : '';
  if (actor.type === 'state') {
    return html`<li><a href="${filterHref('actor', actor.code)}">${countryName(actor.code)}</a> <span class="code">${actor.code}</span>${role}</li>`;
  }
  return html`<li><a href="${filterHref('actor', actor.name)}">${actor.name}</a>${role}</li>`;
}

export function actorList(actors: Actor[]): Html {
  return html`<ul class="inline">${actors.map(actorItem)}</ul>`;
}

export function placeText(location: Location): Html {
  const country = location.country
    ? html`, ${countryName(location.country)} <span class="code">${location.country}</span>`
    : '';
  return html`${location.name}${country}`;
}

export function tagList(tags: string[]): Html {
  return html`<ul class="inline">${tags.map((tag) => html`<li><a href="${filterHref('tag', tag)}">${tag}</a></li>`)}</ul>`;
}

/** A source as a link (http and https only: a javascript: link must not be one click away), its publisher and date. */
export function sourceItem(source: Source): Html {
  const title = isWebUrl(source.url)
    ? html`<a href="${source.url}" rel="external noopener noreferrer">${source.title}</a>`
    : html`${source.title} <span class="code">${source.url}</span>`;
  return html`<li>${title} <span class="muted">— ${source.publisher}, ${timestampInWords(source.publishedAt)}</span></li>`;
}

export function sourceList(sources: Source[]): Html {
  return html`<ul class="sources">${sources.map(sourceItem)}</ul>`;
}

/** The facts of an event as a definition list: who, where, tags, sources. */
export function eventFacts(event: TimelineEvent, extra: Html[] = []): Html {
  return html`<dl class="facts">
${event.actors.length > 0 ? html`<dt>Actors</dt><dd>${actorList(event.actors)}</dd>` : ''}
${event.location ? html`<dt>Place</dt><dd>${placeText(event.location)}</dd>` : ''}
${event.tags.length > 0 ? html`<dt>Tags</dt><dd>${tagList(event.tags)}</dd>` : ''}
<dt>Sources</dt><dd>${sourceList(event.sources)}</dd>
${extra}
</dl>`;
}
