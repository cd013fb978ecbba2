import { addDays, type Qualifier } from '../domain/dates.ts';
import type { TimelineEvent } from '../domain/event.ts';

/**
 * What the export formats need of an event's date, whatever its form: the point or points it names
 * (a single date; an interval's known ends), and what a calendar or a slide cannot draw (open and
 * unknown ends, qualifiers), to be said in words.
 */

/** A known date: the days it can mean, how precisely it is given (day, month, year, decade…), its own qualifier. */
export interface KnownPoint {
  earliest: string;
  latest: string;
  precision: string;
  qualifier?: Qualifier;
}

/** An interval's end as events store it: a date, or open (`..`), or unknown (empty). */
interface StoredEnd {
  open?: true;
  unknown?: true;
  earliest?: string;
  latest?: string;
  precision?: string;
  qualifier?: Qualifier;
}

/** What of an event the exports read for its date. */
export type DatedEvent = Pick<TimelineEvent, 'date' | 'earliest' | 'latest' | 'precision' | 'qualifier'> & {
  start?: StoredEnd;
  end?: StoredEnd;
};

export interface DateShape {
  /** The start as a point: the single date itself, or an interval's known start. */
  start?: KnownPoint;
  /** An interval's known end (never set for a single date). */
  end?: KnownPoint;
  startOpen: boolean;
  startUnknown: boolean;
  endOpen: boolean;
  endUnknown: boolean;
}

function knownEnd(end: StoredEnd | undefined): KnownPoint | undefined {
  if (!end || end.open || end.unknown || !end.earliest || !end.latest || !end.precision) return undefined;
  return {
    earliest: end.earliest,
    latest: end.latest,
    precision: end.precision,
    ...(end.qualifier ? { qualifier: end.qualifier } : {}),
  };
}

/** The shape of an event's date. An interval stored without its ends is read from its bounds. */
export function dateShape(event: DatedEvent): DateShape {
  if (event.precision !== 'interval') {
    return {
      start: {
        earliest: event.earliest,
        latest: event.latest,
        precision: event.precision,
        ...(event.qualifier ? { qualifier: event.qualifier } : {}),
      },
      startOpen: false,
      startUnknown: false,
      endOpen: false,
      endUnknown: false,
    };
  }
  const start = knownEnd(event.start);
  const end = knownEnd(event.end);
  const shape: DateShape = {
    startOpen: event.start?.open === true,
    startUnknown: event.start?.unknown === true,
    endOpen: event.end?.open === true,
    endUnknown: event.end?.unknown === true,
  };
  if (start) shape.start = start;
  if (end) shape.end = end;
  if (!start && !end && !shape.startOpen && !shape.startUnknown && !shape.endOpen && !shape.endUnknown) {
    // Stored before interval ends were kept: both ends are days at the interval's bounds.
    const qualifier = event.qualifier ? { qualifier: event.qualifier } : {};
    shape.start = { earliest: event.earliest, latest: event.earliest, precision: 'day', ...qualifier };
    shape.end = { earliest: event.latest, latest: event.latest, precision: 'day', ...qualifier };
  }
  return shape;
}

/**
 * The days a calendar shows the event on, first and last inclusive: from the start's first day to
 * the end's last. An open or unknown end is not drawn out to the end of the grammar (9999): the
 * event covers its known end only, and its summary says the rest ("ongoing", "end not known").
 */
export function calendarSpan(shape: DateShape): { first: string; last: string } {
  const first = shape.start?.earliest ?? shape.end!.earliest;
  const last = shape.end?.latest ?? shape.start!.latest;
  return { first, last };
}

/** The day after `day`: iCalendar's all-day DTEND is exclusive (RFC 5545 §3.6.1). */
export function dayAfter(day: string): string {
  return day >= '9999-12-31' ? day : addDays(day, 1);
}

/**
 * What a calendar entry's title says that its days cannot: approximate, uncertain, ongoing, an end
 * not known. Each word once, in a fixed order.
 */
export function dateCaveats(shape: DateShape): string[] {
  const qualifiers = [shape.start?.qualifier, shape.end?.qualifier];
  const words: string[] = [];
  if (qualifiers.some((q) => q === 'approximate' || q === 'approximate-uncertain')) words.push('approximate');
  if (qualifiers.some((q) => q === 'uncertain' || q === 'approximate-uncertain')) words.push('uncertain');
  if (shape.startOpen) words.push('start open');
  if (shape.startUnknown) words.push('start not known');
  if (shape.endOpen) words.push('ongoing');
  if (shape.endUnknown) words.push('end not known');
  return words;
}
