import { ValidationError } from '../errors.ts';

/** How precisely an event's date is known. */
export type Precision = 'day' | 'month' | 'year' | 'interval';

/** EDTF qualifiers: `~` approximate, `?` uncertain, `%` both. */
export type Qualifier = 'approximate' | 'uncertain' | 'approximate-uncertain';

export interface ResolvedDate {
  /** The date as written (EDTF subset). */
  date: string;
  /** First calendar day the date can mean (ISO, inclusive). */
  earliest: string;
  /** Last calendar day the date can mean (ISO, inclusive). */
  latest: string;
  precision: Precision;
  qualifier?: Qualifier;
}

interface SimpleDate {
  earliest: string;
  latest: string;
  precision: Exclude<Precision, 'interval'>;
  qualifier?: Qualifier;
}

const SIMPLE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?$/;
const QUALIFIERS: Record<string, Qualifier> = {
  '~': 'approximate',
  '?': 'uncertain',
  '%': 'approximate-uncertain',
};
const DAY_MS = 86_400_000;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseSimple(text: string, path: string): SimpleDate {
  const match = SIMPLE.exec(text);
  if (!match) {
    throw invalid(
      path,
      `"${text}" is not a supported date: use YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~, ? or %`,
    );
  }
  const [, y, m, d, q] = match;
  const year = Number(y);
  const qualifier = q ? QUALIFIERS[q] : undefined;
  if (year < 1) throw invalid(path, `"${text}" has year 0000; years run from 0001`);
  const base = qualifier ? { qualifier } : {};
  if (m === undefined) {
    return { earliest: `${y}-01-01`, latest: `${y}-12-31`, precision: 'year', ...base };
  }
  const month = Number(m);
  if (month < 1 || month > 12) throw invalid(path, `"${text}" has month ${m}; months run from 01 to 12`);
  const last = daysInMonth(year, month);
  if (d === undefined) {
    return { earliest: `${y}-${m}-01`, latest: `${y}-${m}-${pad(last)}`, precision: 'month', ...base };
  }
  const day = Number(d);
  if (day < 1 || day > last) {
    throw invalid(path, `"${text}" does not exist: ${y}-${m} has ${last} days`);
  }
  return { earliest: `${y}-${m}-${d}`, latest: `${y}-${m}-${d}`, precision: 'day', ...base };
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(message, [{ path, message }]);
}

/**
 * Parses the EDTF subset Dateline accepts (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each optionally
 * qualified `~ ? %`, and closed intervals `A/B`) into the interval of days it can mean.
 */
export function parseEventDate(input: string, path = 'date'): ResolvedDate {
  const text = input.trim();
  if (text.length === 0) throw invalid(path, 'a date is required');
  if (text.length > 40) throw invalid(path, 'a date is at most 40 characters');
  const parts = text.split('/');
  if (parts.length === 1) {
    const simple = parseSimple(text, path);
    return { date: text, ...simple };
  }
  if (parts.length !== 2 || !parts[0] || !parts[1] || parts[0] === '..' || parts[1] === '..') {
    throw invalid(
      path,
      `"${text}" is not a closed interval: write START/END, for example 2024-06-10/2024-06-20`,
    );
  }
  const start = parseSimple(parts[0], path);
  const end = parseSimple(parts[1], path);
  if (start.earliest > end.latest || start.latest > end.latest) {
    throw invalid(path, `"${text}" ends before it starts`);
  }
  const qualifier = start.qualifier ?? end.qualifier;
  return {
    date: text,
    earliest: start.earliest,
    latest: end.latest,
    precision: 'interval',
    ...(qualifier ? { qualifier } : {}),
  };
}

/** Resolves a `from`/`to` query boundary (a partial date) to the first or last day it covers. */
export function parseRangeBoundary(input: string, side: 'from' | 'to'): string {
  const simple = parseSimple(input.trim(), side);
  if (simple.qualifier) throw invalid(side, `"${input}": qualifiers are not allowed in ${side}`);
  return side === 'from' ? simple.earliest : simple.latest;
}

/** Number of calendar days an interval spans, both ends included. */
export function spanDays(earliest: string, latest: string): number {
  return Math.round((Date.parse(latest) - Date.parse(earliest)) / DAY_MS) + 1;
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

/** Adds whole days to an ISO calendar date. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate) + days * DAY_MS).toISOString().slice(0, 10);
}
