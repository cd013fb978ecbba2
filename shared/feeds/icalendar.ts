import { calendarSpan, dateCaveats, dateShape, dayAfter } from './date-span.ts';
import type { FeedEntry } from './feed-entry.ts';
import { describeFilter, feedUrl, timelinePageUrl } from './feed-links.ts';
import type { FeedMeta } from './feed-meta.ts';
import { importPackage } from './packages.ts';
import { xmlText } from './words.ts';

/**
 * iCalendar (RFC 5545) of timeline events, written by ical-generator: each event one all-day
 * VEVENT from the first day its date can mean to the last. What the days cannot say goes into
 * the SUMMARY ("(approximate, ongoing)"), and the date in words opens the DESCRIPTION.
 *
 * Done here rather than by the library: DTEND of an all-day event is exclusive (§3.6.1), so it is
 * the day after the last; DTSTAMP and LAST-MODIFIED are when the event last changed (§3.8.7.2:
 * without METHOD, DTSTAMP is the last revision), SEQUENCE counts its revisions; the calendar's
 * NAME and description are escaped (the library writes them as given); years before 1000 are
 * written with four digits (the library writes them unpadded).
 */

const PRODUCT = { company: 'Dateline', product: 'Timeline', language: 'EN' };

/** Control characters are not TEXT (RFC 5545 §3.3.11); the library escapes the rest. */
const text = (value: string) => xmlText(value).replaceAll('\t', ' ');

/** The calendar's name and description are one line each. */
const oneLine = (value: string) => text(value).replace(/\s+/g, ' ').trim();

/** Midnight UTC of a calendar day: ical-generator writes a DATE from a Date's UTC fields when no zone is set. */
const utcDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

/** The summary: the title, and in brackets what its days cannot show. */
export function calendarSummary(entry: FeedEntry): string {
  const caveats = dateCaveats(dateShape(entry.event));
  return caveats.length > 0 ? `${entry.title} (${caveats.join(', ')})` : entry.title;
}

// DTSTART;VALUE=DATE:50101 → 00050101. The library pads month and day but not the year.
const SHORT_YEAR_DATE = /^((?:DTSTART|DTEND);VALUE=DATE:)(\d{5,7})(?=\r?$)/gm;
const padYear = (ics: string) =>
  ics.replace(SHORT_YEAR_DATE, (_, name: string, digits: string) => `${name}${digits.padStart(8, '0')}`);

export async function renderICalendar(entries: readonly FeedEntry[], meta: FeedMeta): Promise<string> {
  const { default: ical, escape: escapeText } =
    await importPackage<typeof import('ical-generator')>('ical-generator');
  const described = describeFilter(meta.filter);
  const calendar = ical({
    prodId: PRODUCT,
    name: escapeText(oneLine(described ? `Dateline: ${described}` : 'Dateline'), false),
    description: escapeText(
      oneLine(
        `Events of the Dateline timeline of international affairs${described ? ` (${described})` : ''}`,
      ),
      false,
    ),
    url: timelinePageUrl(meta.baseUrl, meta.filter),
    source: feedUrl(meta.baseUrl, 'ics', meta.filter),
    ttl: 60 * 60,
  });
  for (const entry of entries) {
    const { event } = entry;
    const { first, last } = calendarSpan(dateShape(event));
    const location = event.location;
    calendar.createEvent({
      id: `${event.id}@dateline`,
      sequence: event.version - 1,
      allDay: true,
      start: utcDay(first),
      end: utcDay(dayAfter(last)),
      summary: text(calendarSummary(entry)),
      description: text(entry.contentText),
      url: entry.url,
      categories: [{ name: text(entry.kind.label) }],
      ...(location
        ? {
            location: {
              title: text(location.country ? `${location.name} (${location.country})` : location.name),
              ...(location.lat !== undefined && location.lon !== undefined
                ? { geo: { lat: location.lat, lon: location.lon } }
                : {}),
            },
          }
        : {}),
      created: entry.published,
      lastModified: entry.updated,
      stamp: entry.updated,
    });
  }
  return padYear(calendar.toString());
}
