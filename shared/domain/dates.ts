import { ValidationError } from '../errors.ts';
import { daysInMonth, spanDays } from './calendar.ts';

export { addDays, daysInMonth, spanDays } from './calendar.ts';

/**
 * How precisely an event's date is known: a single date's unit (`decade` and `century` for a year
 * with unspecified digits, `201X`, `20XX`), or `interval` for `A/B`, whose ends carry their own.
 */
export type Precision = 'day' | 'month' | 'year' | 'decade' | 'century' | 'interval';
export type SinglePrecision = Exclude<Precision, 'interval'>;

/** EDTF qualifiers: `~` approximate, `?` uncertain, `%` both. */
export type Qualifier = 'approximate' | 'uncertain' | 'approximate-uncertain';

/** One end of an interval, as its writer gave it. */
export interface DateEnd {
  /** The end as written: an EDTF date, `..` (open) or the empty string (unknown). */
  date: string;
  /** `..`: no bound at this end; as an end, the interval is ongoing. */
  open?: true;
  /** Empty: this end is not known. */
  unknown?: true;
  /** A known end: the first and last day it can mean, its precision and its own qualifier. */
  earliest?: string;
  latest?: string;
  precision?: SinglePrecision;
  qualifier?: Qualifier;
}

export interface ResolvedDate {
  /** The date as written (EDTF subset). */
  date: string;
  /** First calendar day the date can mean (ISO, inclusive); 0001-01-01 for an open or unknown start. */
  earliest: string;
  /** Last calendar day the date can mean (ISO, inclusive); 9999-12-31 for an open or unknown end. */
  latest: string;
  precision: Precision;
  /** A single date's qualifier; for an interval, what its ends' qualifiers add up to. */
  qualifier?: Qualifier;
  /** Intervals only: each end as written, with its own qualifier. */
  start?: DateEnd;
  end?: DateEnd;
}

/** The first and last day the grammar can name: where an open or unknown end lies for filters. */
export const FIRST_DAY = '0001-01-01';
export const LAST_DAY = '9999-12-31';

interface SimpleDate {
  earliest: string;
  latest: string;
  precision: SinglePrecision;
  qualifier?: Qualifier;
}

// The grammar as a regular expression (JSON Schema `pattern`, ECMA-262): the parser's own reading is
// SIMPLE below, looser, so that it can say what is wrong. Only what a pattern cannot say is left out:
// days past the end of their month, and an interval that ends before it starts.
const YEAR = '(?:000[1-9]|00[1-9]\\d|0[1-9]\\d{2}|[1-9]\\d{3})';
const MONTH = '(?:0[1-9]|1[0-2])';
const DAY = '(?:0[1-9]|[12]\\d|3[01])';
const UNQUALIFIED = `(?:${YEAR}(?:-${MONTH}(?:-(?:${DAY}|XX))?|-XX(?:-XX)?)?|\\d{3}X|\\d{2}XX)`;
const SINGLE = `${UNQUALIFIED}[~?%]?`;

/**
 * The accepted grammar of an event's `date`, as a regular expression source (for `new RegExp` and
 * the OpenAPI `pattern`): a date, or an interval whose ends are dates, `..` (open) or empty (unknown),
 * at least one of them a date. It cannot check days per month or that an interval's end is not
 * before its start; parseEventDate does.
 */
export const EDTF_DATE_PATTERN = `^(?:${SINGLE}(?:/(?:${SINGLE}|\\.\\.)?)?|(?:\\.\\.)?/${SINGLE})$`;

/** The grammar of a `from`/`to` boundary: a single date without qualifier. */
export const EDTF_BOUNDARY_PATTERN = `^${UNQUALIFIED}$`;

const SIMPLE = /^(\d{4}|\d{3}X|\d{2}XX)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?([~?%])?$/;
const QUALIFIERS: Record<string, Qualifier> = {
  '~': 'approximate',
  '?': 'uncertain',
  '%': 'approximate-uncertain',
};
const FORMS =
  'use YYYY, YYYY-MM or YYYY-MM-DD (X for digits not given: 201X, 20XX, 2024-XX, 2024-06-XX), optionally followed by ~, ? or %';
const FROM_THE_RIGHT =
  'unspecified digits (X) run from the right: 201X, 20XX, 2024-XX, 2024-XX-XX or 2024-06-XX';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function parseSimple(text: string, path: string): SimpleDate {
  const match = SIMPLE.exec(text);
  if (!match) throw invalid(path, `"${text}" is not a supported date: ${FORMS}`);
  const [, y = '', m, d, q] = match;
  const qualifier = q ? QUALIFIERS[q] : undefined;
  const base = qualifier ? { qualifier } : {};
  if (y.includes('X')) {
    if (m !== undefined) throw invalid(path, `"${text}": ${FROM_THE_RIGHT}`);
    const digits = y.replace(/X/g, '');
    const years = 10 ** (4 - digits.length);
    const first = Math.max(1, Number(digits) * years);
    const last = Number(digits) * years + years - 1;
    return {
      earliest: `${pad(first, 4)}-01-01`,
      latest: `${pad(last, 4)}-12-31`,
      precision: years === 10 ? 'decade' : 'century',
      ...base,
    };
  }
  const year = Number(y);
  if (year < 1) throw invalid(path, `"${text}" has year 0000; years run from 0001`);
  const wholeYear = { earliest: `${y}-01-01`, latest: `${y}-12-31`, precision: 'year' as const, ...base };
  if (m === undefined) return wholeYear;
  if (m === 'XX') {
    if (d !== undefined && d !== 'XX') throw invalid(path, `"${text}": ${FROM_THE_RIGHT}`);
    return wholeYear;
  }
  const month = Number(m);
  if (month < 1 || month > 12) throw invalid(path, `"${text}" has month ${m}; months run from 01 to 12`);
  const last = daysInMonth(year, month);
  const wholeMonth = {
    earliest: `${y}-${m}-01`,
    latest: `${y}-${m}-${pad(last)}`,
    precision: 'month' as const,
    ...base,
  };
  if (d === undefined || d === 'XX') return wholeMonth;
  const day = Number(d);
  if (day < 1 || day > last) {
    throw invalid(path, `"${text}" does not exist: ${y}-${m} has ${last} days`);
  }
  return { earliest: `${y}-${m}-${d}`, latest: `${y}-${m}-${d}`, precision: 'day', ...base };
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, message }]);
}

function parseEnd(text: string, path: string): DateEnd {
  if (text === '..') return { date: text, open: true };
  if (text === '') return { date: text, unknown: true };
  return { date: text, ...parseSimple(text, path) };
}

/** What an interval's qualifiers add up to: approximate if either end is, uncertain if either is. */
function combinedQualifier(...qualifiers: (Qualifier | undefined)[]): Qualifier | undefined {
  const approximate = qualifiers.some((q) => q === 'approximate' || q === 'approximate-uncertain');
  const uncertain = qualifiers.some((q) => q === 'uncertain' || q === 'approximate-uncertain');
  if (approximate && uncertain) return 'approximate-uncertain';
  return approximate ? 'approximate' : uncertain ? 'uncertain' : undefined;
}

/**
 * Parses the EDTF subset Dateline accepts into the interval of days it can mean: `YYYY`, `YYYY-MM`,
 * `YYYY-MM-DD`, with unspecified digits from the right (`201X`, `20XX`, `2024-XX`, `2024-06-XX`),
 * each optionally qualified `~ ? %`; and intervals `A/B` whose ends are such dates, `..` (open) or
 * empty (unknown). An interval is refused only when it cannot be: its start's earliest day after its
 * end's latest.
 */
export function parseEventDate(input: string, path = 'date'): ResolvedDate {
  const text = input.trim();
  if (text.length === 0) throw invalid(path, 'a date is required');
  if (text.length > 40) throw invalid(path, 'a date is at most 40 characters');
  const parts = text.split('/');
  if (parts.length === 1) {
    if (text === '..') {
      throw invalid(path, '".." is an open end of an interval, not a date: for example 2024-06/..');
    }
    return { date: text, ...parseSimple(text, path) };
  }
  if (parts.length !== 2) {
    throw invalid(
      path,
      `"${text}" is not an interval: write START/END, for example 2024-06-10/2024-06-20 or 2024-06/..`,
    );
  }
  const start = parseEnd(parts[0]!, path);
  const end = parseEnd(parts[1]!, path);
  if (start.earliest === undefined && end.latest === undefined) {
    throw invalid(
      path,
      `"${text}" has neither a start nor an end: give at least one, for example 2024-06/.. or ../2024`,
    );
  }
  if (start.earliest !== undefined && end.latest !== undefined && start.earliest > end.latest) {
    throw invalid(path, `"${text}" ends before it starts`);
  }
  const qualifier = combinedQualifier(start.qualifier, end.qualifier);
  return {
    date: text,
    earliest: start.earliest ?? FIRST_DAY,
    latest: end.latest ?? LAST_DAY,
    precision: 'interval',
    ...(qualifier ? { qualifier } : {}),
    start,
    end,
  };
}

/** Resolves a `from`/`to` query boundary (a partial date) to the first or last day it covers. */
export function parseRangeBoundary(input: string, side: 'from' | 'to'): string {
  const simple = parseSimple(input.trim(), side);
  if (simple.qualifier) throw invalid(side, `"${input}": qualifiers are not allowed in ${side}`);
  return side === 'from' ? simple.earliest : simple.latest;
}

export interface Dated {
  id: string;
  earliest: string;
  latest: string;
}

/** Range filters use overlap: a date is in from..to when its interval meets that range. */
export function overlapsRange(date: Omit<Dated, 'id'>, from?: string, to?: string): boolean {
  return (from === undefined || date.latest >= from) && (to === undefined || date.earliest <= to);
}

/** Timeline order: by earliest day, then narrower dates first, then by id. */
export function compareTimeline(a: Dated, b: Dated): number {
  if (a.earliest !== b.earliest) return a.earliest < b.earliest ? -1 : 1;
  const spanA = spanDays(a.earliest, a.latest);
  const spanB = spanDays(b.earliest, b.latest);
  if (spanA !== spanB) return spanA - spanB;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A string whose lexical order is the timeline order; used as the sort key of timeline items. */
export function timelineSortKey(date: Dated): string {
  return `${date.earliest}#${pad(spanDays(date.earliest, date.latest), 7)}#${date.id}`;
}
