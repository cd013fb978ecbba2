import { humanCalendarDate, humanDate } from '../delivery/email/human-date.ts';
import type { EventPrecision } from '../delivery/email/types.ts';
import { countryName } from '../domain/country.ts';
import type { Actor, Source, TimelineEvent } from '../domain/event.ts';

export { escapeHtml } from '../delivery/email/html.ts';
export { countryName } from '../domain/country.ts';
export { kindLabel } from '../domain/event.ts';

/** The words the export formats share: the date as people read it, kinds, actors, sources. */

/** The event's date in words, as the alert mails say it ("mid-June 2024 (approximate)"). */
export function dateInWords(
  event: Pick<TimelineEvent, 'date' | 'earliest' | 'latest' | 'precision'>,
): string {
  return humanDate(event.date, event.earliest, event.latest, event.precision as EventPrecision);
}

/** "North Korea (KP)", "Vladimir Putin (President of Russia)". */
export function actorLabel(actor: Actor): string {
  const name = actor.type === 'state' ? `${countryName(actor.code)} (${actor.code})` : actor.name;
  return actor.role ? `${name}, ${actor.role}` : name;
}

/** "ICARO Media Group, 28 June 2024". */
export function sourceByline(source: Source): string {
  return `${source.publisher}, ${humanCalendarDate(source.publishedAt) ?? source.publishedAt}`;
}

// XML 1.0 allows tab, newline, carriage return and U+0020 on, except surrogates and U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as XML 1.0 can carry it: control characters and lone surrogates removed (a parser refuses them). */
export function xmlText(value: string): string {
  return value.replace(CONTROL, '').replace(LONE_SURROGATE, '');
}
