/**
 * Human readings of EDTF dates for emails ("mid-June 2024 (approximate)", "between 10 and 20 June
 * 2024", "since June 2024, ongoing", "a year in the 2010s").
 *
 * Handles the EDTF subset events are written in: calendar dates at day, month or year precision,
 * unspecified digits from the right (201X, 20XX, 2024-XX, 2024-06-XX), seasons (21–24), qualifiers
 * (~ ? %) and intervals, each end with its own qualifier, including open ("..") and unknown ("")
 * ends. Anything else (negative years, sets) falls back to the normalised bounds, and failing that
 * to the date as written: an odd date must never stop an alert from being sent.
 *
 * Month names are spelled out by hand rather than with Intl so output does not depend on the
 * runtime's locale data.
 */
import { daysInMonth, MONTH_NAMES } from '../../domain/calendar.ts';
import type { EventPrecision } from './types.ts';

const SEASONS: Record<number, string> = { 21: 'spring', 22: 'summer', 23: 'autumn', 24: 'winter' };

interface Point {
  /** The year, or the first year of the decade (201X) or century (20XX) when digits are not given. */
  year: number;
  /** How many of the year's digits are not given: 1 for 201X, 2 for 20XX. */
  yearDigitsUnspecified?: 1 | 2;
  month?: number;
  /** 2024-XX: some month of the year, not said. */
  monthUnspecified?: boolean;
  season?: string;
  day?: number;
  /** 2024-06-XX: some day of the month (or year), not said. */
  dayUnspecified?: boolean;
  approximate: boolean;
  uncertain: boolean;
}

function monthName(month: number): string {
  return MONTH_NAMES[month - 1] ?? '';
}

const POINT = /^(\d{4}|\d{3}X|\d{2}XX)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?$/;

function parsePoint(raw: string): Point | undefined {
  // Level 1 puts a qualifier after the whole date, Level 2 on single components. Either way the
  // reader only needs to know the date is approximate or uncertain, so collect and strip them all.
  const approximate = /[~%]/.test(raw);
  const uncertain = /[?%]/.test(raw);
  const match = POINT.exec(raw.replace(/[~?%]/g, ''));
  if (!match) return undefined;
  const [, y = '', m, d] = match;
  const hidden = y.length - y.replace(/X/g, '').length;
  const point: Point = { year: Number(y.replace(/X/g, '0')), approximate, uncertain };
  if (hidden > 0) {
    if (m !== undefined) return undefined;
    point.yearDigitsUnspecified = hidden as 1 | 2;
    return point;
  }
  if (m === undefined) return point;
  if (m === 'XX') {
    if (d !== undefined && d !== 'XX') return undefined;
    point.monthUnspecified = true;
    if (d === 'XX') point.dayUnspecified = true;
    return point;
  }
  const monthOrSeason = Number(m);
  if (monthOrSeason >= 1 && monthOrSeason <= 12) point.month = monthOrSeason;
  else if (SEASONS[monthOrSeason] && d === undefined) point.season = SEASONS[monthOrSeason];
  else return undefined;
  if (d === undefined) return point;
  if (d === 'XX') {
    point.dayUnspecified = true;
    return point;
  }
  const day = Number(d);
  if (point.month === undefined || day < 1 || day > daysInMonth(point.year, point.month)) return undefined;
  point.day = day;
  return point;
}

/** The years a point with unspecified year digits spans, in words: "the 2010s", "the years 2000–2099". */
function yearsOf(point: Point): string {
  if (point.yearDigitsUnspecified === 1) return `the ${point.year}s`;
  return `the years ${Math.max(1, point.year)}–${point.year + 99}`;
}

/** A point at the precision it is known to ("June 2024" for 2024-06-XX, "the 2010s" for 201X). */
function formatPoint(point: Point, omit: 'none' | 'year' | 'month-and-year' = 'none'): string {
  if (point.yearDigitsUnspecified) return yearsOf(point);
  const year = omit === 'none' ? ` ${point.year}` : '';
  if (point.day !== undefined && point.month !== undefined) {
    return omit === 'month-and-year' ? String(point.day) : `${point.day} ${monthName(point.month)}${year}`;
  }
  if (point.month !== undefined) return `${monthName(point.month)}${year}`;
  if (point.season !== undefined) return `${point.season}${year}`;
  return String(point.year);
}

function qualifierWords(point: Point): string[] {
  return [...(point.approximate ? ['approximate'] : []), ...(point.uncertain ? ['uncertain'] : [])];
}

/** A reading split into the main text and its caveats, so callers can lay the caveats out as they need. */
export interface DateReading {
  text: string;
  notes: string[];
}

function withNotes(text: string, notes: string[]): DateReading {
  return { text, notes };
}

function readSingle(point: Point): DateReading {
  const notes = qualifierWords(point);
  // Unspecified digits: one unit of what is known, not said which.
  if (point.yearDigitsUnspecified === 1) return withNotes(`a year in ${yearsOf(point)}`, notes);
  if (point.yearDigitsUnspecified === 2) {
    return withNotes(`a year from ${Math.max(1, point.year)} to ${point.year + 99}`, notes);
  }
  if (point.dayUnspecified) return withNotes(`a day in ${formatPoint(point)}`, notes);
  if (point.monthUnspecified) return withNotes(`a month in ${point.year}`, notes);
  // An approximate day is better read as a part of the month than as a precise-looking day.
  if (point.approximate && point.day !== undefined && point.month !== undefined) {
    const part = point.day <= 10 ? 'early ' : point.day <= 20 ? 'mid-' : 'late ';
    return withNotes(`${part}${monthName(point.month)} ${point.year}`, notes);
  }
  return withNotes(formatPoint(point), notes);
}

function samePoint(a: Point, b: Point): boolean {
  return (
    a.year === b.year &&
    a.yearDigitsUnspecified === b.yearDigitsUnspecified &&
    a.month === b.month &&
    a.monthUnspecified === b.monthUnspecified &&
    a.season === b.season &&
    a.day === b.day
  );
}

function betweenText(start: Point, end: Point): string {
  const hasSubYear = (p: Point) =>
    !p.yearDigitsUnspecified && (p.month !== undefined || p.season !== undefined);
  let omit: 'none' | 'year' | 'month-and-year' = 'none';
  if (start.year === end.year && hasSubYear(start) && hasSubYear(end)) {
    const sameMonth = start.month !== undefined && start.month === end.month;
    omit = sameMonth && start.day !== undefined && end.day !== undefined ? 'month-and-year' : 'year';
  }
  return `between ${formatPoint(start, omit)} and ${formatPoint(end)}`;
}

function intervalNotes(start: Point, end: Point): string[] {
  const startWords = qualifierWords(start);
  const endWords = qualifierWords(end);
  if (startWords.join() === endWords.join()) return startWords;
  return [...startWords.map((w) => `start ${w}`), ...endWords.map((w) => `end ${w}`)];
}

function readInterval(raw: string): DateReading | undefined {
  const parts = raw.split('/');
  if (parts.length !== 2) return undefined;
  const [startRaw = '', endRaw = ''] = parts;
  const start = parsePoint(startRaw);
  const end = parsePoint(endRaw);
  if (start && end) {
    if (samePoint(start, end)) return withNotes(formatPoint(start), intervalNotes(start, end));
    return withNotes(betweenText(start, end), intervalNotes(start, end));
  }
  // ".." is an open end (as an end: still ongoing); "" is an end nobody knows.
  if (start && endRaw === '..')
    return withNotes(`since ${formatPoint(start)}, ongoing`, qualifierWords(start));
  if (start && endRaw === '') {
    return withNotes(`from ${formatPoint(start)}`, [...qualifierWords(start), 'end not known']);
  }
  if (end && startRaw === '..') return withNotes(`until ${formatPoint(end)}`, qualifierWords(end));
  if (end && startRaw === '') {
    return withNotes(`until ${formatPoint(end)}`, [...qualifierWords(end), 'start not known']);
  }
  return undefined;
}

function readBounds(earliest: string, latest: string, precision: EventPrecision): DateReading | undefined {
  const start = parsePoint(earliest.slice(0, 10));
  const end = parsePoint(latest.slice(0, 10));
  if (!start || !end || start.day === undefined || end.day === undefined) return undefined;
  if (samePoint(start, end)) return withNotes(formatPoint(start), []);
  if (precision === 'month' && start.year === end.year && start.month === end.month) {
    return withNotes(formatPoint({ ...start, day: undefined }), []);
  }
  if (precision === 'year' && start.year === end.year) return withNotes(String(start.year), []);
  return withNotes(betweenText(start, end), []);
}

/**
 * The reading of an event date in parts. `date` is the EDTF string as written and wins when it
 * can be read; `earliest`/`latest` (ISO dates) and `precision` are the fallback.
 */
export function humanDateParts(
  date: string,
  earliest: string,
  latest: string,
  precision: EventPrecision,
): DateReading {
  const written = date.trim();
  return readWritten(written) ?? readBounds(earliest, latest, precision) ?? withNotes(written, []);
}

/** A human reading of an event date, e.g. "mid-June 2024 (approximate)". */
export function humanDate(date: string, earliest: string, latest: string, precision: EventPrecision): string {
  const { text, notes } = humanDateParts(date, earliest, latest, precision);
  return notes.length > 0 ? `${text} (${notes.join(', ')})` : text;
}

function readWritten(written: string): DateReading | undefined {
  if (written.includes('/')) return readInterval(written);
  const point = parsePoint(written);
  return point ? readSingle(point) : undefined;
}

/** The unit a point is known to: 2024-06-XX is known to the month, 2024-XX to the year, 201X to the decade. */
function unitOf(point: Point): string {
  if (point.yearDigitsUnspecified === 1) return 'decade';
  if (point.yearDigitsUnspecified === 2) return 'century';
  if (point.day !== undefined) return 'day';
  if (point.month !== undefined) return 'month';
  if (point.season !== undefined) return 'season';
  return 'year';
}

/** "a day", "an approximate month", "an approximate, uncertain year". */
function pointPrecision(point: Point): string {
  const words = [...qualifierWords(point), unitOf(point)]
    .join(' ')
    .replace('approximate uncertain', 'approximate, uncertain');
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

const PRECISION_FALLBACK: Record<EventPrecision, string> = {
  day: 'a day',
  month: 'a month',
  year: 'a year',
  decade: 'a decade',
  century: 'a century',
  interval: 'an interval',
};

function intervalPrecision(raw: string): string | undefined {
  const parts = raw.split('/');
  if (parts.length !== 2) return undefined;
  const [startRaw = '', endRaw = ''] = parts;
  const start = parsePoint(startRaw);
  const end = parsePoint(endRaw);
  if (start && end) return `from ${pointPrecision(start)} to ${pointPrecision(end)}`;
  if (start && endRaw === '..') return `from ${pointPrecision(start)}, open-ended`;
  if (start && endRaw === '') return `from ${pointPrecision(start)}; end not known`;
  if (end && startRaw === '..') return `open start, to ${pointPrecision(end)}`;
  if (end && startRaw === '') return `start not known, to ${pointPrecision(end)}`;
  return undefined;
}

/**
 * How precisely a date is known, with its qualifiers, in words: "an approximate day", "a month",
 * "from an uncertain year to an approximate year", "from a month, open-ended". Read from the date
 * as written; `precision` is the fallback. Says what the reading's notes say, so a mail that shows
 * this needs not show those too.
 */
export function humanPrecision(date: string, precision: EventPrecision): string {
  const written = date.trim();
  if (written.includes('/')) return intervalPrecision(written) ?? PRECISION_FALLBACK[precision] ?? precision;
  const point = parsePoint(written);
  return point ? pointPrecision(point) : (PRECISION_FALLBACK[precision] ?? precision);
}

/**
 * "28 June 2024" for an ISO date or timestamp (the calendar date as written, so a publisher's
 * local date is kept rather than shifted to UTC). Undefined when the value is not ISO.
 */
export function humanCalendarDate(iso: string): string | undefined {
  const point = parsePoint(iso.trim().slice(0, 10));
  return point && point.day !== undefined ? formatPoint(point) : undefined;
}
