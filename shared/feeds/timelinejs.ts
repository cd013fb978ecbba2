import type { TimelineEvent } from '../domain/event.ts';
import { type DatedEvent, dateShape, type KnownPoint } from './date-span.ts';
import { describeFilter, type FeedFilter } from './feed-links.ts';
import { actorLabel, dateInWords, escapeHtml, kindLabel, sourceByline } from './words.ts';

/**
 * The timeline as TimelineJS 3 reads it (https://timeline.knightlab.com/docs/json-format.html):
 * one slide per event, dated with only the parts its precision knows.
 *
 * - A day gives year, month and day; a month year and month; a year the year alone. A decade or
 *   century (`201X`, `20XX`) has no TimelineJS unit: it is drawn as the span of its years.
 * - An interval gives `start_date` and `end_date` from its two ends, each at its own precision.
 * - An open or unknown end (`2024-06/..`, `2024-06/`) gives no `end_date`: TimelineJS would draw it
 *   up to year 9999, and "today" would make the export change every day. The slide stands at the
 *   known end, and `display_date` says the rest in words ("since June 2024, ongoing").
 */

export interface TimelineJsDate {
  year: number;
  month?: number;
  day?: number;
}

export interface TimelineJsSlide {
  start_date: TimelineJsDate;
  end_date?: TimelineJsDate;
  display_date: string;
  text: { headline: string; text: string };
  group: string;
  unique_id: string;
}

export interface TimelineJsDocument {
  title: { text: { headline: string; text: string } };
  events: TimelineJsSlide[];
}

function parts(day: string, precision: 'day' | 'month' | 'year'): TimelineJsDate {
  const [year, month, dayOfMonth] = day.split('-').map(Number) as [number, number, number];
  if (precision === 'year') return { year };
  if (precision === 'month') return { year, month };
  return { year, month, day: dayOfMonth };
}

/** A point at its own precision; a decade or century as the year at the given side of it. */
function pointDate(point: KnownPoint, side: 'first' | 'last'): TimelineJsDate {
  if (point.precision === 'day' || point.precision === 'month' || point.precision === 'year') {
    return parts(point.earliest, point.precision);
  }
  return parts(side === 'first' ? point.earliest : point.latest, 'year');
}

const isSpan = (point: KnownPoint) => point.precision === 'decade' || point.precision === 'century';

/** `start_date` and, when the date has a known end or spans years, `end_date`. */
export function timelineJsDates(event: DatedEvent): Pick<TimelineJsSlide, 'start_date' | 'end_date'> {
  const shape = dateShape(event);
  if (event.precision !== 'interval') {
    const point = shape.start!;
    return isSpan(point)
      ? { start_date: pointDate(point, 'first'), end_date: pointDate(point, 'last') }
      : { start_date: pointDate(point, 'first') };
  }
  const { start, end } = shape;
  if (start && end) return { start_date: pointDate(start, 'first'), end_date: pointDate(end, 'last') };
  // One end open or unknown: the slide stands at the known end.
  return { start_date: pointDate((start ?? end)!, 'first') };
}

function slideText(event: TimelineEvent): string {
  const parts: string[] = [];
  if (event.summary) parts.push(`<p>${escapeHtml(event.summary)}</p>`);
  const facts = [kindLabel(event.kind)];
  if (event.location) facts.push(event.location.name);
  if (event.actors.length > 0) facts.push(event.actors.map(actorLabel).join('; '));
  parts.push(`<p>${facts.map(escapeHtml).join(' · ')}</p>`);
  const sources = event.sources.map(
    (source) =>
      `<li><a href="${escapeHtml(source.url)}">${escapeHtml(source.title)}</a>, ${escapeHtml(sourceByline(source))}</li>`,
  );
  parts.push(`<ul>${sources.join('')}</ul>`);
  return parts.join('');
}

/** The TimelineJS document of the events (in timeline order, as given), with a title slide naming the filter. */
export function timelineJs(events: readonly TimelineEvent[], filter: FeedFilter): TimelineJsDocument {
  const described = describeFilter(filter);
  return {
    title: {
      text: {
        headline: 'Dateline',
        text: escapeHtml(
          `A timeline of international affairs${described ? `: ${described}` : ''}, each entry with its sources.`,
        ),
      },
    },
    events: events.map((event) => ({
      ...timelineJsDates(event),
      display_date: dateInWords(event),
      text: { headline: escapeHtml(event.title), text: slideText(event) },
      group: kindLabel(event.kind),
      unique_id: event.id,
    })),
  };
}
