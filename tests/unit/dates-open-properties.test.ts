import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  compareTimeline,
  EDTF_DATE_PATTERN,
  overlapsRange,
  parseEventDate,
  timelineSortKey,
} from '../../shared/domain/dates.ts';

/**
 * Properties of the whole grammar (open and unknown ends, unspecified digits, per-end qualifiers),
 * over dates generated with their expected days computed here, without the code under test.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The last day of a month, by setUTCFullYear (which, unlike Date.UTC, takes years < 100 literally). */
function lastDayOf(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

interface KnownEnd {
  text: string;
  earliest: string;
  latest: string;
}

const dayArb = (min: string, max: string) =>
  fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10));

type Form =
  | 'day'
  | 'month'
  | 'year'
  | 'decade'
  | 'century'
  | 'month-of-year'
  | 'day-of-year'
  | 'day-of-month';

/** A single date of any form, from a day in [min, max], with the days it covers. */
const knownArb = (min: string, max: string): fc.Arbitrary<KnownEnd> =>
  fc
    .tuple(
      dayArb(min, max),
      fc.constantFrom<Form>(
        'day',
        'month',
        'year',
        'decade',
        'century',
        'month-of-year',
        'day-of-year',
        'day-of-month',
      ),
    )
    .map(([day, form]) => {
      const y = day.slice(0, 4);
      const year = Number(y);
      const monthEnd = `${day.slice(0, 7)}-${pad(lastDayOf(year, Number(day.slice(5, 7))))}`;
      const years = (size: number) => {
        const first = Math.floor(year / size) * size;
        return {
          earliest: `${pad(Math.max(1, first), 4)}-01-01`,
          latest: `${pad(first + size - 1, 4)}-12-31`,
        };
      };
      const forms: Record<Form, () => KnownEnd> = {
        day: () => ({ text: day, earliest: day, latest: day }),
        month: () => ({ text: day.slice(0, 7), earliest: `${day.slice(0, 7)}-01`, latest: monthEnd }),
        'day-of-month': () => ({
          text: `${day.slice(0, 7)}-XX`,
          earliest: `${day.slice(0, 7)}-01`,
          latest: monthEnd,
        }),
        year: () => ({ text: y, earliest: `${y}-01-01`, latest: `${y}-12-31` }),
        'month-of-year': () => ({ text: `${y}-XX`, earliest: `${y}-01-01`, latest: `${y}-12-31` }),
        'day-of-year': () => ({ text: `${y}-XX-XX`, earliest: `${y}-01-01`, latest: `${y}-12-31` }),
        decade: () => ({ text: `${y.slice(0, 3)}X`, ...years(10) }),
        century: () => ({ text: `${y.slice(0, 2)}XX`, ...years(100) }),
      };
      return forms[form]();
    });

const qualifierArb = fc.constantFrom('', '', '~', '?', '%');
type End = KnownEnd | '..' | '';

/** Any accepted date with the first and last day it can mean. */
const anyDateArb = (min = '0001-01-01', max = '9999-12-31') =>
  fc.oneof(
    fc
      .tuple(knownArb(min, max), qualifierArb)
      .map(([end, q]) => ({ text: `${end.text}${q}`, earliest: end.earliest, latest: end.latest })),
    fc
      .tuple(
        fc.oneof<fc.Arbitrary<End>[]>(knownArb(min, max), fc.constantFrom<End>('..', '')),
        fc.oneof<fc.Arbitrary<End>[]>(knownArb(min, max), fc.constantFrom<End>('..', '')),
        qualifierArb,
        qualifierArb,
      )
      .filter(([a, b]) => typeof a !== 'string' || typeof b !== 'string')
      .map(([a, b, qa, qb]) => {
        // A known start after a known end: the other way round can be.
        const [start, end] =
          typeof a !== 'string' && typeof b !== 'string' && a.earliest > b.latest ? [b, a] : [a, b];
        const write = (e: End, q: string) => (typeof e === 'string' ? e : `${e.text}${q}`);
        return {
          text: `${write(start, qa)}/${write(end, qb)}`,
          earliest: typeof start === 'string' ? '0001-01-01' : start.earliest,
          latest: typeof end === 'string' ? '9999-12-31' : end.latest,
        };
      }),
  );

/** Dates near the filter window most of the time, anywhere in 0001–9999 otherwise. */
const nearbyDateArb = fc.oneof(anyDateArb('2015-01-01', '2029-12-31'), anyDateArb());

describe('the whole grammar', () => {
  it('resolves every date to the days computed independently', () => {
    fc.assert(
      fc.property(anyDateArb(), (date) => {
        const resolved = parseEventDate(date.text);
        expect([resolved.earliest, resolved.latest]).toEqual([date.earliest, date.latest]);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches EDTF_DATE_PATTERN with every date the parser accepts', () => {
    const pattern = new RegExp(EDTF_DATE_PATTERN);
    fc.assert(
      fc.property(anyDateArb(), (date) => {
        expect(pattern.test(date.text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('overlapsRange over the whole grammar', () => {
  // Boundaries lie in 2018–2026. Outside the window W every day behaves as W's nearest end does
  // (in range exactly when that end is), so clamping a date's days to W keeps the brute force short.
  const W_START = '2017-12-01';
  const W_END = '2027-01-31';
  const clamp = (day: string) => (day < W_START ? W_START : day > W_END ? W_END : day);
  const boundaryArb = fc.option(dayArb('2018-01-01', '2026-12-31'), { nil: undefined });

  it('equals a day-by-day check, for open and unknown ends and unspecified digits too', () => {
    fc.assert(
      fc.property(nearbyDateArb, boundaryArb, boundaryArb, (date, from, to) => {
        fc.pre(from === undefined || to === undefined || from <= to);
        let someDayInRange = false;
        const last = clamp(date.latest);
        for (let day = clamp(date.earliest); day <= last && !someDayInRange; day = addDays(day, 1)) {
          someDayInRange = (from === undefined || day >= from) && (to === undefined || day <= to);
        }
        expect(overlapsRange(parseEventDate(date.text), from, to)).toBe(someDayInRange);
      }),
      { numRuns: 500 },
    );
  });
});

describe('timelineSortKey over the whole grammar', () => {
  const datedArb = fc.tuple(nearbyDateArb, fc.string({ minLength: 1, maxLength: 4 })).map(([date, id]) => {
    const { earliest, latest } = parseEventDate(date.text);
    return { id, earliest, latest };
  });

  it('orders lexically as compareTimeline does, open ends and 3.6 million-day spans included', () => {
    fc.assert(
      fc.property(fc.array(datedArb, { maxLength: 30 }), (events) => {
        const byCompare = [...events].sort(compareTimeline).map(timelineSortKey);
        expect(byCompare).toEqual(events.map(timelineSortKey).sort());
      }),
      { numRuns: 300 },
    );
  });
});
