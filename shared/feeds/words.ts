import { humanCalendarDate, humanDate } from '../delivery/email/human-date.ts';
import type { EventPrecision } from '../delivery/email/types.ts';
import type { Actor, Source, TimelineEvent } from '../domain/event.ts';

/** The words the export formats share: the date as people read it, kinds, actors, sources. */

/** The event's date in words, as the alert mails say it ("mid-June 2024 (approximate)"). */
export function dateInWords(
  event: Pick<TimelineEvent, 'date' | 'earliest' | 'latest' | 'precision'>,
): string {
  return humanDate(event.date, event.earliest, event.latest, event.precision as EventPrecision);
}

/** "missile-launch" → "Missile launch". */
export function kindLabel(kind: string): string {
  return kind.length === 0 ? kind : kind[0]!.toUpperCase() + kind.slice(1).replaceAll('-', ' ');
}

// Built on first use: Intl.DisplayNames loads ICU's region data (~11 ms), which only exports need.
let regions: Intl.DisplayNames | undefined;

/** A country's English name from its ISO 3166-1 alpha-2 code; the code when ICU has none. */
export function countryName(code: string): string {
  regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  try {
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
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

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// XML 1.0 allows tab, newline, carriage return and U+0020 on, except surrogates and U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as XML 1.0 can carry it: control characters and lone surrogates removed (a parser refuses them). */
export function xmlText(value: string): string {
  return value.replace(CONTROL, '').replace(LONE_SURROGATE, '');
}
