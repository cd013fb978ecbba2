import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayNumber,
  daysInMonth,
  isLeapYear,
  isoDayOf,
  spanDays,
} from '../../shared/domain/calendar.ts';

// The oracle: Date with setUTCFullYear, which (unlike Date.UTC) takes years below 100 literally.
const DAY_MS = 86_400_000;
function oracleDays(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() / DAY_MS;
}
function oracleMonthLength(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
const iso = (year: number, month: number, day: number) =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

const yearArb = fc.integer({ min: 1, max: 9999 });
const monthArb = fc.integer({ min: 1, max: 12 });
const dayArb = fc
  .tuple(yearArb, monthArb, fc.integer({ min: 1, max: 31 }))
  .map(([y, m, d]) => [y, m, Math.min(d, oracleMonthLength(y, m))] as const);

describe('daysInMonth', () => {
  it.each([
    [1, 2, 28],
    [4, 2, 29],
    [50, 2, 28],
    [96, 2, 29],
    [100, 2, 28],
    [400, 2, 29],
    [1900, 2, 28],
    [2000, 2, 29],
    [9999, 12, 31],
  ])('gives %i-%i %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });

  it('agrees with the calendar for every month of every year 0001–9999', () => {
    for (let year = 1; year <= 9999; year++) {
      for (let month = 1; month <= 12; month++) {
        if (daysInMonth(year, month) !== oracleMonthLength(year, month)) {
          expect(`${year}-${month}: ${daysInMonth(year, month)}`).toBe(
            `${year}-${month}: ${oracleMonthLength(year, month)}`,
          );
        }
      }
    }
  });
});

describe('isLeapYear', () => {
  it('follows the Gregorian rule (every 4th year, not centuries, but every 400th)', () => {
    expect([4, 8, 100, 200, 400, 1900, 2000, 2023, 2024].map(isLeapYear)).toEqual([
      true,
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});

describe('dayNumber and isoDayOf', () => {
  it('counts 1970-01-01 as day 0 and 0001-01-01 as day -719162', () => {
    expect(dayNumber(1970, 1, 1)).toBe(0);
    expect(dayNumber(1, 1, 1)).toBe(-719_162);
  });

  it('agree with the calendar on any day 0001–9999, and are inverses', () => {
    fc.assert(
      fc.property(dayArb, ([y, m, d]) => {
        expect(dayNumber(y, m, d)).toBe(oracleDays(y, m, d));
        expect(isoDayOf(dayNumber(y, m, d))).toBe(iso(y, m, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes a day past 9999-12-31 as toISOString does, so it never passes for a date', () => {
    expect(isoDayOf(dayNumber(9999, 12, 31) + 1)).toBe('+010000-01-01');
  });
});

describe('spanDays', () => {
  it('counts the days of years 0001 to 0099 (where Date.UTC would read 1901 to 1999)', () => {
    expect(spanDays('0001-01-01', '0099-12-31')).toBe(99 * 365 + 24);
  });

  it('counts 3,652,059 days from 0001-01-01 to 9999-12-31', () => {
    expect(spanDays('0001-01-01', '9999-12-31')).toBe(3_652_059);
  });

  it('agrees with the calendar for any two days', () => {
    fc.assert(
      fc.property(dayArb, dayArb, (a, b) => {
        const [first, last] = oracleDays(...a) <= oracleDays(...b) ? [a, b] : [b, a];
        expect(spanDays(iso(...first), iso(...last))).toBe(oracleDays(...last) - oracleDays(...first) + 1);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('addDays', () => {
  it('crosses the leap day of year 0004', () => {
    expect(addDays('0004-02-28', 1)).toBe('0004-02-29');
    expect(addDays('0004-02-28', 2)).toBe('0004-03-01');
  });

  it('goes back across the end of year 0001', () => {
    expect(addDays('0002-01-01', -1)).toBe('0001-12-31');
  });

  it('moves as many days as spanDays counts', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 100_000 }), (day, days) => {
        const later = addDays(iso(...day), days);
        fc.pre(later <= '9999-12-31' && !later.startsWith('+'));
        expect(spanDays(iso(...day), later)).toBe(days + 1);
      }),
      { numRuns: 1000 },
    );
  });
});
