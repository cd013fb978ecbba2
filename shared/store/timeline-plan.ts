import { type Precision, spanDays } from '../domain/dates.ts';
import type { Dimension, Granule } from './keys.ts';
import { coveragePartition, timelinePartition } from './keys.ts';

/**
 * Pure planning of timeline reads: which partitions to query, with which key ranges, so that a
 * page reads items in proportion to the page for every single-dimension filter and date range.
 *
 * Sort keys are `earliest#span#id` (span in days, zero-padded), so lexical order is timeline order.
 * With a `from` bound, events starting on or after `from` come from one key range. Events that start
 * before `from` but still overlap it ("straddlers") are found exactly where they can be:
 * month-precision events start on the 1st of from's month, year-precision events on 1 January, and
 * every other date (intervals, open ones too, and the decades and centuries of `201X`, `20XX`) is
 * also written under each month/year/decade/century/millennium it touches (coverage partitions).
 * An open or unknown end lies at the grammar's far bound (0001-01-01, 9999-12-31): the unit ladder
 * keeps even those to a few dozen granules.
 */

export interface TimelineFilter {
  from?: string;
  to?: string;
  kinds: string[];
  actors: string[];
  tags: string[];
  q?: string;
  order: 'asc' | 'desc';
}

export interface KeyRange {
  pk: string;
  /** Inclusive lower bound on sk. */
  lower?: string;
  /** Inclusive upper bound on sk. */
  upper?: string;
}

export interface TimelinePlan {
  /** Partitions whose union (deduplicated by id) is the answer; the main ranges, in timeline order. */
  main: KeyRange[];
  /** Small ranges holding events that start before `from` but overlap it; streamed like the main ranges. */
  straddlers: KeyRange[];
  /** The dimensions the partitions were chosen by; the other filters are checked per item. */
  driving: Dimension['name'];
}

const SK_END = '~';
const padSpan = (days: number) => String(days).padStart(7, '0');

/**
 * Whether an event is written under coverage granules: every date the straddler ranges of a day
 * cannot find, that is all but days, calendar months and calendar years (`2024-XX` is a calendar
 * year, `2024-06-XX` a calendar month).
 */
export function needsCoverage(event: { precision: Precision }): boolean {
  return event.precision !== 'day' && event.precision !== 'month' && event.precision !== 'year';
}

/** The dimension that drives the reads: the one named filter likely to be the most selective. */
export function drivingDimensions(filter: TimelineFilter): Dimension[] {
  if (filter.actors.length > 0) return filter.actors.map((value) => ({ name: 'actor', value }));
  if (filter.tags.length > 0) return filter.tags.map((value) => ({ name: 'tag', value }));
  if (filter.kinds.length > 0) return filter.kinds.map((value) => ({ name: 'kind', value }));
  return [{ name: 'all' }];
}

export function planTimeline(filter: TimelineFilter): TimelinePlan {
  const dimensions = drivingDimensions(filter);
  const main = dimensions.map((dimension) => ({
    pk: timelinePartition(dimension),
    ...(filter.from ? { lower: filter.from } : {}),
    ...(filter.to ? { upper: `${filter.to}${SK_END}` } : {}),
  }));
  const straddlers = filter.from ? dimensions.flatMap((d) => straddlerRanges(d, filter.from!)) : [];
  return { main, straddlers, driving: dimensions[0]!.name };
}

function straddlerRanges(dimension: Dimension, from: string): KeyRange[] {
  const pk = timelinePartition(dimension);
  const monthStart = `${from.slice(0, 7)}-01`;
  const yearStart = `${from.slice(0, 4)}-01-01`;
  const ranges: KeyRange[] = [];
  if (from !== monthStart) {
    ranges.push({
      pk,
      lower: `${monthStart}#${padSpan(28)}`,
      upper: `${monthStart}#${padSpan(31)}${SK_END}`,
    });
  }
  if (from !== yearStart) {
    ranges.push({
      pk,
      lower: `${yearStart}#${padSpan(365)}`,
      upper: `${yearStart}#${padSpan(366)}${SK_END}`,
    });
  }
  // Only intervals starting before `from` can straddle it (sk <= from: every sort key of `from` itself is longer).
  for (const granule of granulesOf(from))
    ranges.push({ pk: coveragePartition(dimension, granule), upper: from });
  return ranges;
}

/** Length of the day prefix that names a granule of each unit (month, year, decade, century, millennium). */
const GRANULE_WIDTH: Record<Granule['unit'], number> = { M: 7, Y: 4, D: 3, C: 2, K: 1 };
/** Years per granule of the units coarser than a month. */
const GRANULE_YEARS: Record<Exclude<Granule['unit'], 'M'>, number> = { Y: 1, D: 10, C: 100, K: 1000 };

/** The month, year, decade, century and millennium a day belongs to. */
function granulesOf(day: string): Granule[] {
  return (Object.keys(GRANULE_WIDTH) as Granule['unit'][]).map((unit) => ({
    unit,
    value: day.slice(0, GRANULE_WIDTH[unit]),
  }));
}

/** Units from coarse to fine: a granule of one unit is refined into granules of the next. */
const FINER: Record<Exclude<Granule['unit'], 'M'>, Granule['unit']> = { K: 'C', C: 'D', D: 'Y', Y: 'M' };

/**
 * The coverage granules an interval is written under: months for short intervals, years for
 * intervals up to ~10 years, decades up to ~100, centuries up to ~1000, millennia beyond. The
 * granule the interval ends in is refined into finer ones (years, then months) unless the interval
 * runs to its last day: a straddler lookup reads the granules holding `from`, and a coarse granule
 * the interval ends partway through would list it for every `from` after its end too. So items read
 * in a coverage partition are real straddlers but for intervals ending earlier in from's own month.
 * The granules are disjoint: an interval is found once per lookup, under at most ~50 granules (a
 * dozen for anything shorter than a decade).
 */
export function coverageGranules(earliest: string, latest: string): Granule[] {
  const days = spanDays(earliest, latest);
  const unit: Granule['unit'] =
    days <= 100 ? 'M' : days <= 3700 ? 'Y' : days <= 37_000 ? 'D' : days <= 370_000 ? 'C' : 'K';
  return granulesCovering(earliest, latest, unit);
}

function granulesCovering(start: string, latest: string, unit: Granule['unit']): Granule[] {
  const width = GRANULE_WIDTH[unit];
  const granules: Granule[] = [];
  let cursor = start;
  // Past year 9999 the next start has five digits and no longer compares as a date: stop there.
  while (cursor.length === 10 && cursor <= latest) {
    granules.push({ unit, value: cursor.slice(0, width) });
    cursor = nextGranuleStart(cursor, unit);
  }
  const last = granules.at(-1);
  if (unit === 'M' || !last || latest >= lastDayOf(last)) return granules;
  const lastStart = granuleStart(last);
  granules.pop();
  return [...granules, ...granulesCovering(start > lastStart ? start : lastStart, latest, FINER[unit])];
}

/** First day of a granule coarser than a month. */
const granuleStart = (granule: Granule) => `${granule.value.padEnd(4, '0')}-01-01`;
/** Last day of a granule coarser than a month. */
const lastDayOf = (granule: Granule) => `${granule.value.padEnd(4, '9')}-12-31`;

function nextGranuleStart(day: string, unit: Granule['unit']): string {
  const year = Number(day.slice(0, 4));
  if (unit === 'M') {
    const month = Number(day.slice(5, 7));
    return month === 12
      ? `${String(year + 1).padStart(4, '0')}-01-01`
      : `${day.slice(0, 4)}-${String(month + 1).padStart(2, '0')}-01`;
  }
  const years = GRANULE_YEARS[unit];
  return `${String(Math.floor(year / years) * years + years).padStart(4, '0')}-01-01`;
}

/** Whether an item found in a straddler range really starts before `from` and overlaps it. */
export function isStraddler(item: { earliest: string; latest: string }, from: string): boolean {
  return item.earliest < from && item.latest >= from;
}
