/** The months' English names, January first (spelled out, so output never depends on ICU data). */
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Day arithmetic on the proleptic Gregorian calendar for the years dates are written in (0001–9999),
 * by integer arithmetic alone. `Date.UTC(year, …)` reads years 0–99 as 1900–1999, and `Date.parse`
 * depends on the string's shape; neither is needed to count days.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Days from 1970-01-01 to a calendar day (negative before it); H. Hinnant's days_from_civil. */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The calendar day `days` after 1970-01-01, as YYYY-MM-DD; the inverse of dayNumber. */
export function isoDayOf(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${yearText(year)}-${pad(month)}-${pad(day)}`;
}

/** Years outside 0000–9999 as `toISOString` writes them (±YYYYYY), so they never pass for dates here. */
const yearText = (year: number) =>
  year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;

/** The day number of an ISO calendar day (YYYY-MM-DD). */
export function dayNumberOf(isoDay: string): number {
  return dayNumber(Number(isoDay.slice(0, 4)), Number(isoDay.slice(5, 7)), Number(isoDay.slice(8, 10)));
}

/** Number of calendar days an interval spans, both ends included. */
export function spanDays(earliest: string, latest: string): number {
  return dayNumberOf(latest) - dayNumberOf(earliest) + 1;
}

/** Adds whole days to an ISO calendar date. */
export function addDays(isoDate: string, days: number): string {
  return isoDayOf(dayNumberOf(isoDate) + days);
}
