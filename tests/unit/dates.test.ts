import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  compareTimeline,
  type Dated,
  daysInMonth,
  overlapsRange,
  parseEventDate,
  parseRangeBoundary,
  spanDays,
  timelineSortKey,
} from '../../shared/domain/dates.ts';
import { ValidationError } from '../../shared/errors.ts';

/** The error parseEventDate throws for `input`, so its message and field errors can be checked. */
function refusal(input: string, parse: (text: string) => unknown = (text) => parseEventDate(text)) {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`"${input}" was accepted`);
}

// ---- Generators, built without the code under test ----------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The last day of a month, computed with setUTCFullYear (which, unlike Date.UTC, takes years < 100 literally). */
function lastDayOf(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** A real calendar day between two ISO days (both inclusive), as YYYY-MM-DD. */
const dayArb = (min = '0001-01-01', max = '9999-12-31') =>
  fc
    .date({ min: new Date(`${min}T00:00:00Z`), max: new Date(`${max}T00:00:00Z`), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10));

type Form = 'day' | 'month' | 'year';

interface SimpleCase {
  text: string;
  form: Form;
  /** The first and last day, computed independently of the parser. */
  earliest: string;
  latest: string;
}

const simpleArb = (min?: string, max?: string): fc.Arbitrary<SimpleCase> =>
  fc.tuple(dayArb(min, max), fc.constantFrom<Form>('day', 'month', 'year')).map(([day, form]) => {
    const year = day.slice(0, 4);
    const month = day.slice(0, 7);
    if (form === 'day') return { text: day, form, earliest: day, latest: day };
    if (form === 'month') {
      const last = lastDayOf(Number(year), Number(day.slice(5, 7)));
      return { text: month, form, earliest: `${month}-01`, latest: `${month}-${pad(last)}` };
    }
    return { text: year, form, earliest: `${year}-01-01`, latest: `${year}-12-31` };
  });

const qualifierArb = fc.constantFrom('', '~', '?', '%');

/** A closed interval that can be: its start's first day is not after its end's last. */
const intervalArb = (min?: string, max?: string) =>
  fc.tuple(simpleArb(min, max), simpleArb(min, max), qualifierArb, qualifierArb).map(([a, b, qa, qb]) => {
    // If a cannot start before b ends, b ends before a starts, so b can start before a ends.
    const [start, end] = a.earliest <= b.latest ? [a, b] : [b, a];
    return { start, end, text: `${start.text}${qa}/${end.text}${qb}`, qualified: qa !== '' || qb !== '' };
  });

/** Any accepted date with the interval it must resolve to. */
const anyDateArb = (min?: string, max?: string) =>
  fc.oneof(
    fc.tuple(simpleArb(min, max), qualifierArb).map(([simple, q]) => ({
      text: `${simple.text}${q}`,
      precision: simple.form as string,
      earliest: simple.earliest,
      latest: simple.latest,
    })),
    intervalArb(min, max).map(({ start, end, text }) => ({
      text,
      precision: 'interval',
      earliest: start.earliest,
      latest: end.latest,
    })),
  );

const idArb = fc.oneof(
  fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  fc.string({ minLength: 1, maxLength: 8 }),
);

const datedArb: fc.Arbitrary<Dated> = fc
  .tuple(anyDateArb('1990-01-01', '2030-12-31'), idArb)
  .map(([date, id]) => ({ id, earliest: date.earliest, latest: date.latest }));

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const lexical = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---- Specifications -----------------------------------------------------------------------------------

describe('parseEventDate', () => {
  describe('the date forms of the seed timeline', () => {
    it.each([
      ['2022-02-24', '2022-02-24', '2022-02-24', 'day'],
      ['2019-12', '2019-12-01', '2019-12-31', 'month'],
      ['2024-01', '2024-01-01', '2024-01-31', 'month'],
      ['2024-06-10/2024-06-20', '2024-06-10', '2024-06-20', 'interval'],
      ['2024-06-19', '2024-06-19', '2024-06-19', 'day'],
      ['2024-06-28', '2024-06-28', '2024-06-28', 'day'],
    ])('resolves %s to %s … %s with %s precision', (date, earliest, latest, precision) => {
      expect(parseEventDate(date)).toMatchObject({ date, earliest, latest, precision });
    });
  });

  describe('single dates', () => {
    it('treats 2024-01 as the whole of January', () => {
      expect(parseEventDate('2024-01')).toMatchObject({ earliest: '2024-01-01', latest: '2024-01-31' });
    });

    it('treats a year as 1 January to 31 December', () => {
      expect(parseEventDate('2024')).toEqual({
        date: '2024',
        earliest: '2024-01-01',
        latest: '2024-12-31',
        precision: 'year',
      });
    });

    it('ends a 30-day month on the 30th', () => {
      expect(parseEventDate('2024-06')).toMatchObject({ earliest: '2024-06-01', latest: '2024-06-30' });
    });

    it('ends February of a leap year on the 29th', () => {
      expect(parseEventDate('2024-02').latest).toBe('2024-02-29');
    });

    it('ends February of a common year on the 28th', () => {
      expect(parseEventDate('2023-02').latest).toBe('2023-02-28');
    });

    it('keeps the date as written beside its resolution, without surrounding spaces', () => {
      expect(parseEventDate('  2024-06-19 ')).toMatchObject({ date: '2024-06-19', earliest: '2024-06-19' });
    });

    it('accepts the first year of the era, 0001', () => {
      expect(parseEventDate('0001')).toMatchObject({ earliest: '0001-01-01', latest: '0001-12-31' });
    });

    it('accepts the last representable day, 9999-12-31', () => {
      expect(parseEventDate('9999-12-31').precision).toBe('day');
    });
  });

  describe('leap days', () => {
    it('accepts 29 February 2024', () => {
      expect(parseEventDate('2024-02-29')).toMatchObject({ earliest: '2024-02-29', precision: 'day' });
    });

    it('accepts 29 February 2000 (divisible by 400)', () => {
      expect(parseEventDate('2000-02-29').earliest).toBe('2000-02-29');
    });

    it('refuses 29 February 2023', () => {
      expect(refusal('2023-02-29').message).toBe('"2023-02-29" does not exist: 2023-02 has 28 days');
    });

    it('refuses 29 February 1900 (a century not divisible by 400)', () => {
      expect(refusal('1900-02-29').message).toContain('1900-02 has 28 days');
    });

    it('accepts 29 February 0004, an early leap year', () => {
      expect(parseEventDate('0004-02-29').earliest).toBe('0004-02-29');
    });

    it('refuses 29 February 0003', () => {
      expect(refusal('0003-02-29').message).toContain('0003-02 has 28 days');
    });
  });

  describe('qualifiers', () => {
    it.each([
      ['~', 'approximate'],
      ['?', 'uncertain'],
      ['%', 'approximate-uncertain'],
    ])('reads %s after a day as %s', (mark, qualifier) => {
      expect(parseEventDate(`2024-06-15${mark}`)).toEqual({
        date: `2024-06-15${mark}`,
        earliest: '2024-06-15',
        latest: '2024-06-15',
        precision: 'day',
        qualifier,
      });
    });

    it('qualifies a month without changing the month it covers', () => {
      expect(parseEventDate('2024-06~')).toMatchObject({
        earliest: '2024-06-01',
        latest: '2024-06-30',
        precision: 'month',
        qualifier: 'approximate',
      });
    });

    it('qualifies a year without changing the year it covers', () => {
      expect(parseEventDate('2019?')).toMatchObject({
        earliest: '2019-01-01',
        latest: '2019-12-31',
        precision: 'year',
        qualifier: 'uncertain',
      });
    });

    it('leaves an unqualified date without a qualifier', () => {
      expect(parseEventDate('2024-06-15')).not.toHaveProperty('qualifier');
    });

    it('refuses a qualifier written before the date', () => {
      expect(refusal('~2024-06-15').message).toContain('is not a supported date');
    });

    it('refuses two qualifiers', () => {
      expect(refusal('2024-06-15~?').message).toContain('is not a supported date');
    });
  });

  describe('intervals', () => {
    it('reads mid-June 2024 written as 2024-06-10/2024-06-20, keeping each end', () => {
      expect(parseEventDate('2024-06-10/2024-06-20')).toEqual({
        date: '2024-06-10/2024-06-20',
        earliest: '2024-06-10',
        latest: '2024-06-20',
        precision: 'interval',
        start: { date: '2024-06-10', earliest: '2024-06-10', latest: '2024-06-10', precision: 'day' },
        end: { date: '2024-06-20', earliest: '2024-06-20', latest: '2024-06-20', precision: 'day' },
      });
    });

    it('runs from the first day of a month start to the last day of a month end', () => {
      expect(parseEventDate('2019-12/2024-01')).toMatchObject({
        earliest: '2019-12-01',
        latest: '2024-01-31',
        precision: 'interval',
      });
    });

    it('runs from 1 January of a year start to 31 December of a year end', () => {
      expect(parseEventDate('2019/2022')).toMatchObject({ earliest: '2019-01-01', latest: '2022-12-31' });
    });

    it('takes the qualifier of an approximate start', () => {
      expect(parseEventDate('2024-06-10~/2024-06-20')).toMatchObject({
        precision: 'interval',
        qualifier: 'approximate',
      });
    });

    it('takes the qualifier of an uncertain end', () => {
      expect(parseEventDate('2024-06-10/2024-06-20?')).toMatchObject({
        earliest: '2024-06-10',
        latest: '2024-06-20',
        qualifier: 'uncertain',
      });
    });

    it('takes the qualifier of both ends when both are qualified', () => {
      expect(parseEventDate('2024-06%/2024-07%').qualifier).toBe('approximate-uncertain');
    });

    it('accepts an interval of one day', () => {
      expect(parseEventDate('2024-06-10/2024-06-10')).toMatchObject({
        earliest: '2024-06-10',
        latest: '2024-06-10',
        precision: 'interval',
      });
    });
  });

  describe('refusals', () => {
    it.each([
      ['2024-13', '"2024-13" has month 13; months run from 01 to 12'],
      ['2024-00', '"2024-00" has month 00; months run from 01 to 12'],
      ['2024-02-30', '"2024-02-30" does not exist: 2024-02 has 29 days'],
      ['2024-04-31', '"2024-04-31" does not exist: 2024-04 has 30 days'],
      ['2024-06-00', '"2024-06-00" does not exist: 2024-06 has 30 days'],
      ['0000', '"0000" has year 0000; years run from 0001'],
      ['2024/2023', '"2024/2023" ends before it starts'],
      ['2024-06-20/2024-06-10', '"2024-06-20/2024-06-10" ends before it starts'],
      ['2024-06/2024-05-31', '"2024-06/2024-05-31" ends before it starts'],
      [
        '2020/2022/2024',
        '"2020/2022/2024" is not an interval: write START/END, for example 2024-06-10/2024-06-20 or 2024-06/..',
      ],
      ['..', '".." is an open end of an interval, not a date: for example 2024-06/..'],
      [
        '../..',
        '"../.." has neither a start nor an end: give at least one, for example 2024-06/.. or ../2024',
      ],
      ['/', '"/" has neither a start nor an end: give at least one, for example 2024-06/.. or ../2024'],
      ['../', '"../" has neither a start nor an end: give at least one, for example 2024-06/.. or ../2024'],
      ['', 'a date is required'],
      ['   ', 'a date is required'],
    ])('refuses %j with the message %j', (input, message) => {
      const error = refusal(input);
      expect(error.message).toBe(message);
      expect(error.errors).toEqual([{ path: 'date', message }]);
    });

    it.each([
      'yesterday',
      'mid-June 2024',
      '24-06-2024',
      '2024-6-1',
      '2024-06-1',
      '20240615',
      '2024-06-15T10:00',
      '+2024',
      '-0044',
      '12024',
      '2024-06-15 10:00',
    ])('refuses %j, naming the forms it accepts', (input) => {
      expect(refusal(input).message).toBe(
        `"${input}" is not a supported date: use YYYY, YYYY-MM or YYYY-MM-DD (X for digits not given: 201X, 20XX, 2024-XX, 2024-06-XX), optionally followed by ~, ? or %`,
      );
    });

    it('refuses a date longer than 40 characters', () => {
      expect(refusal(`${'2024-06-10/'.repeat(4)}2024`).message).toBe('a date is at most 40 characters');
    });

    it('refuses a season (EDTF level 1 month 21-24), which Dateline does not accept', () => {
      expect(refusal('2024-21').message).toContain('has month 21');
    });

    it('names the field it was asked to check', () => {
      expect(refusal('2024-13', (text) => parseEventDate(text, 'body.date')).errors[0]?.path).toBe(
        'body.date',
      );
    });

    it('accepts an interval whose start may run past its end: only what cannot be is refused', () => {
      expect(parseEventDate('2024/2024-06')).toMatchObject({ earliest: '2024-01-01', latest: '2024-06-30' });
    });

    it('accepts a month start whose end is a day within it (2024-06/2024-06-29)', () => {
      expect(parseEventDate('2024-06/2024-06-29')).toMatchObject({
        earliest: '2024-06-01',
        latest: '2024-06-29',
      });
    });

    it('accepts a day start at the end of a month end (2024-06-30/2024-06)', () => {
      expect(parseEventDate('2024-06-30/2024-06')).toMatchObject({
        earliest: '2024-06-30',
        latest: '2024-06-30',
      });
    });
  });

  describe('properties', () => {
    it('resolves every accepted date to earliest <= latest with the precision of its form', () => {
      fc.assert(
        fc.property(anyDateArb(), (date) => {
          const resolved = parseEventDate(date.text);
          expect(resolved.date).toBe(date.text);
          expect(resolved.precision).toBe(date.precision);
          expect(resolved.earliest).toBe(date.earliest);
          expect(resolved.latest).toBe(date.latest);
          expect(resolved.earliest <= resolved.latest).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('spans one day for a day, 28 to 31 for a month and 365 or 366 for a year', () => {
      fc.assert(
        fc.property(simpleArb(), qualifierArb, (simple, q) => {
          const resolved = parseEventDate(`${simple.text}${q}`);
          const span = spanDays(resolved.earliest, resolved.latest);
          const [min, max] = { day: [1, 1], month: [28, 31], year: [365, 366] }[simple.form];
          expect(span).toBeGreaterThanOrEqual(min!);
          expect(span).toBeLessThanOrEqual(max!);
        }),
        { numRuns: 300 },
      );
    });

    it('resolves to real calendar days (each bound parses again as a day)', () => {
      fc.assert(
        fc.property(anyDateArb(), (date) => {
          const resolved = parseEventDate(date.text);
          expect(parseEventDate(resolved.earliest).precision).toBe('day');
          expect(parseEventDate(resolved.latest).precision).toBe('day');
        }),
        { numRuns: 300 },
      );
    });

    it('records a qualifier exactly when one is written', () => {
      fc.assert(
        fc.property(simpleArb(), qualifierArb, (simple, q) => {
          const expected = {
            '': undefined,
            '~': 'approximate',
            '?': 'uncertain',
            '%': 'approximate-uncertain',
          }[q];
          expect(parseEventDate(`${simple.text}${q}`).qualifier).toBe(expected);
        }),
      );
    });

    it('refuses every day past the end of its month', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
          const beyond = lastDayOf(year, month) + 1;
          if (beyond > 31) return;
          const text = `${pad(year, 4)}-${pad(month)}-${pad(beyond)}`;
          expect(() => parseEventDate(text)).toThrow(ValidationError);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('parseRangeBoundary', () => {
  it.each([
    ['2024', 'from', '2024-01-01'],
    ['2024', 'to', '2024-12-31'],
    ['2024-06', 'from', '2024-06-01'],
    ['2024-06', 'to', '2024-06-30'],
    ['2024-02', 'to', '2024-02-29'],
    ['2024-06-19', 'from', '2024-06-19'],
    ['2024-06-19', 'to', '2024-06-19'],
  ] as const)('reads %s as %s to begin on %s', (input, side, expected) => {
    expect(parseRangeBoundary(input, side)).toBe(expected);
  });

  it('refuses a qualified boundary, naming the parameter', () => {
    const error = refusal('2024~', (text) => parseRangeBoundary(text, 'from'));
    expect(error.message).toBe('"2024~": qualifiers are not allowed in from');
    expect(error.errors[0]?.path).toBe('from');
  });

  it('refuses an interval as a boundary', () => {
    expect(refusal('2024/2025', (text) => parseRangeBoundary(text, 'to')).message).toContain(
      'is not a supported date',
    );
  });

  it('refuses an impossible boundary day', () => {
    expect(refusal('2023-02-29', (text) => parseRangeBoundary(text, 'to')).errors[0]?.path).toBe('to');
  });
});

describe('spanDays', () => {
  it('counts both ends of a range', () => {
    expect(spanDays('2024-06-10', '2024-06-20')).toBe(11);
  });

  it('counts one day for a single day', () => {
    expect(spanDays('2024-06-19', '2024-06-19')).toBe(1);
  });

  it('counts 366 days in a leap year', () => {
    expect(spanDays('2024-01-01', '2024-12-31')).toBe(366);
  });
});

describe('daysInMonth', () => {
  it.each([
    [2024, 2, 29],
    [2023, 2, 28],
    [2024, 4, 30],
    [2024, 12, 31],
    [4, 2, 29],
    [100, 2, 28],
  ])('gives %i-%i %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });
});

describe('addDays', () => {
  it('crosses a month end', () => {
    expect(addDays('2024-01-31', 1)).toBe('2024-02-01');
  });

  it('crosses a leap day', () => {
    expect(addDays('2024-02-28', 2)).toBe('2024-03-01');
  });

  it('goes back across a year end', () => {
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
  });
});

describe('overlapsRange', () => {
  const june = { earliest: '2024-06-01', latest: '2024-06-30' };

  it('includes a date inside the range', () => {
    expect(overlapsRange({ earliest: '2024-06-19', latest: '2024-06-19' }, '2024-06-01', '2024-06-30')).toBe(
      true,
    );
  });

  it('includes a month that straddles from', () => {
    expect(overlapsRange(june, '2024-06-15', '2024-07-31')).toBe(true);
  });

  it('includes a month that straddles to', () => {
    expect(overlapsRange(june, '2024-05-01', '2024-06-01')).toBe(true);
  });

  it('includes a month that encloses the whole range', () => {
    expect(overlapsRange(june, '2024-06-10', '2024-06-12')).toBe(true);
  });

  it('excludes a date that ends the day before from', () => {
    expect(overlapsRange(june, '2024-07-01')).toBe(false);
  });

  it('excludes a date that starts the day after to', () => {
    expect(overlapsRange(june, undefined, '2024-05-31')).toBe(false);
  });

  it('includes everything when the range is open on both sides', () => {
    expect(overlapsRange(june)).toBe(true);
  });

  it('agrees with a day-by-day check for any date and range', () => {
    const boundaryArb = fc.option(dayArb('2018-01-01', '2026-12-31'), { nil: undefined });
    fc.assert(
      fc.property(anyDateArb('2018-01-01', '2026-12-31'), boundaryArb, boundaryArb, (date, from, to) => {
        // The API refuses from after to, so only non-empty ranges are in the contract.
        fc.pre(from === undefined || to === undefined || from <= to);
        let someDayInRange = false;
        for (let day = date.earliest; day <= date.latest; day = addDays(day, 1)) {
          if ((from === undefined || day >= from) && (to === undefined || day <= to)) {
            someDayInRange = true;
            break;
          }
        }
        const resolved = parseEventDate(date.text);
        expect(overlapsRange(resolved, from, to)).toBe(someDayInRange);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a day-by-day check for ranges given as partial dates', () => {
    const partialArb = fc.option(
      simpleArb('2018-01-01', '2026-12-31').map((simple) => simple.text),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        anyDateArb('2018-01-01', '2026-12-31'),
        partialArb,
        partialArb,
        (date, fromText, toText) => {
          const from = fromText === undefined ? undefined : parseRangeBoundary(fromText, 'from');
          const to = toText === undefined ? undefined : parseRangeBoundary(toText, 'to');
          fc.pre(from === undefined || to === undefined || from <= to);
          let someDayInRange = false;
          for (let day = date.earliest; day <= date.latest && !someDayInRange; day = addDays(day, 1)) {
            someDayInRange = (from === undefined || day >= from) && (to === undefined || day <= to);
          }
          expect(overlapsRange(parseEventDate(date.text), from, to)).toBe(someDayInRange);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('compareTimeline', () => {
  it('orders by earliest day first', () => {
    const a = { id: 'B', earliest: '2024-06-18', latest: '2024-06-18' };
    const b = { id: 'A', earliest: '2024-06-19', latest: '2024-06-19' };
    expect(compareTimeline(a, b)).toBeLessThan(0);
  });

  it('puts the narrower of two dates starting the same day first', () => {
    const day = { id: 'Z', earliest: '2024-06-01', latest: '2024-06-01' };
    const month = { id: 'A', earliest: '2024-06-01', latest: '2024-06-30' };
    expect(compareTimeline(day, month)).toBeLessThan(0);
  });

  it('puts a month before the year it starts', () => {
    const month = { id: 'Z', earliest: '2024-01-01', latest: '2024-01-31' };
    const year = { id: 'A', earliest: '2024-01-01', latest: '2024-12-31' };
    expect(compareTimeline(month, year)).toBeLessThan(0);
  });

  it('breaks ties by id', () => {
    const a = { id: '01A', earliest: '2024-06-01', latest: '2024-06-01' };
    const b = { id: '01B', earliest: '2024-06-01', latest: '2024-06-01' };
    expect(compareTimeline(a, b)).toBeLessThan(0);
    expect(compareTimeline(b, a)).toBeGreaterThan(0);
  });

  it('finds an event equal to itself', () => {
    const a = { id: '01A', earliest: '2024-06-01', latest: '2024-06-30' };
    expect(compareTimeline(a, { ...a })).toBe(0);
  });

  describe('properties', () => {
    it('agrees with the lexical order of timelineSortKey', () => {
      fc.assert(
        fc.property(datedArb, datedArb, (a, b) => {
          expect(sign(compareTimeline(a, b))).toBe(lexical(timelineSortKey(a), timelineSortKey(b)));
        }),
        { numRuns: 1000 },
      );
    });

    it('agrees with the sort key on events that start the same day', () => {
      const sameDayArb = fc
        .tuple(anyDateArb('2024-01-01', '2024-12-31'), anyDateArb('2024-01-01', '2024-12-31'), idArb, idArb)
        .map(([a, b, idA, idB]) => {
          // Force a common earliest day by shifting b onto a's start.
          const shift = spanDays(b.earliest, a.earliest) - 1;
          return [
            { id: idA, earliest: a.earliest, latest: a.latest },
            { id: idB, earliest: a.earliest, latest: addDays(b.latest, shift) },
          ] as const;
        });
      fc.assert(
        fc.property(sameDayArb, ([a, b]) => {
          expect(sign(compareTimeline(a, b))).toBe(lexical(timelineSortKey(a), timelineSortKey(b)));
        }),
        { numRuns: 500 },
      );
    });

    it('is antisymmetric', () => {
      fc.assert(
        fc.property(datedArb, datedArb, (a, b) => {
          expect(sign(compareTimeline(a, b))).toBe(-sign(compareTimeline(b, a)));
        }),
      );
    });

    it('is transitive', () => {
      fc.assert(
        fc.property(datedArb, datedArb, datedArb, (a, b, c) => {
          if (compareTimeline(a, b) <= 0 && compareTimeline(b, c) <= 0) {
            expect(compareTimeline(a, c)).toBeLessThanOrEqual(0);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('is total: only the same day, span and id compare equal', () => {
      fc.assert(
        fc.property(datedArb, datedArb, (a, b) => {
          const same = a.earliest === b.earliest && a.latest === b.latest && a.id === b.id;
          expect(compareTimeline(a, b) === 0).toBe(same);
        }),
      );
    });

    it('sorts a list exactly as sorting by timelineSortKey does', () => {
      fc.assert(
        fc.property(fc.array(datedArb, { maxLength: 40 }), (events) => {
          const byCompare = [...events].sort(compareTimeline).map(timelineSortKey);
          const byKey = events.map(timelineSortKey).sort();
          expect(byCompare).toEqual(byKey);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('timelineSortKey', () => {
  it('is earliest, the span in days padded to 7 digits, and the id', () => {
    expect(timelineSortKey({ id: '01J1Z8', earliest: '2024-06-10', latest: '2024-06-20' })).toBe(
      '2024-06-10#0000011#01J1Z8',
    );
  });

  it('keeps the widest possible span (0001 to 9999) within its 7 digits', () => {
    const key = timelineSortKey({ id: 'X', earliest: '0001-01-01', latest: '9999-12-31' });
    expect(key).toMatch(/^0001-01-01#\d{7}#X$/);
  });
});
