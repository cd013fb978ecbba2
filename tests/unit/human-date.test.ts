import { describe, expect, it } from 'vitest';
import { humanCalendarDate, humanDate, humanDateParts } from '../../shared/delivery/email/human-date.ts';

describe('humanDate', () => {
  describe('single dates', () => {
    it('reads a day as day, month name and year', () => {
      expect(humanDate('2024-06-28', '2024-06-28', '2024-06-28', 'day')).toBe('28 June 2024');
    });

    it('reads a month as month name and year', () => {
      expect(humanDate('2024-01', '2024-01-01', '2024-01-31', 'month')).toBe('January 2024');
    });

    it('reads a year as the year', () => {
      expect(humanDate('1991', '1991-01-01', '1991-12-31', 'year')).toBe('1991');
    });

    it('reads an EDTF season as the season and year', () => {
      expect(humanDate('2024-21', '2024-03-01', '2024-05-31', 'month')).toBe('spring 2024');
    });
  });

  describe('qualifiers', () => {
    it('reads an approximate mid-month day as mid-month, marked approximate', () => {
      expect(humanDate('2024-06-15~', '2024-06-08', '2024-06-22', 'day')).toBe('mid-June 2024 (approximate)');
    });

    it('reads an approximate day early in the month as early in that month', () => {
      expect(humanDate('2024-06-03~', '2024-05-27', '2024-06-10', 'day')).toBe(
        'early June 2024 (approximate)',
      );
    });

    it('reads an approximate day late in the month as late in that month', () => {
      expect(humanDate('2024-06-27~', '2024-06-20', '2024-07-04', 'day')).toBe(
        'late June 2024 (approximate)',
      );
    });

    it('keeps an uncertain day exact and marks it uncertain', () => {
      expect(humanDate('2024-06-15?', '2024-06-15', '2024-06-15', 'day')).toBe('15 June 2024 (uncertain)');
    });

    it('marks % as both approximate and uncertain', () => {
      expect(humanDate('2024-06%', '2024-06-01', '2024-06-30', 'month')).toBe(
        'June 2024 (approximate, uncertain)',
      );
    });

    it('honours a qualifier on a single component (EDTF level 2)', () => {
      expect(humanDate('2024-~06', '2024-05-01', '2024-07-31', 'month')).toBe('June 2024 (approximate)');
    });
  });

  describe('intervals', () => {
    it('names the month and year once when both ends fall in the same month', () => {
      expect(humanDate('2024-06-10/2024-06-20', '2024-06-10', '2024-06-20', 'interval')).toBe(
        'between 10 and 20 June 2024',
      );
    });

    it('names the year once when both ends fall in the same year', () => {
      expect(humanDate('2024-05-28/2024-06-03', '2024-05-28', '2024-06-03', 'interval')).toBe(
        'between 28 May and 3 June 2024',
      );
    });

    it('writes both ends in full across a year boundary', () => {
      expect(humanDate('2023-12-30/2024-01-02', '2023-12-30', '2024-01-02', 'interval')).toBe(
        'between 30 December 2023 and 2 January 2024',
      );
    });

    it('reads a month-to-month interval', () => {
      expect(humanDate('2024-03/2024-05', '2024-03-01', '2024-05-31', 'interval')).toBe(
        'between March and May 2024',
      );
    });

    it('reads an interval between years', () => {
      expect(humanDate('1989/1991', '1989-01-01', '1991-12-31', 'interval')).toBe('between 1989 and 1991');
    });

    it('reads an open end as ongoing since the start', () => {
      expect(humanDate('2024-06/..', '2024-06-01', '9999-12-31', 'interval')).toBe(
        'since June 2024, ongoing',
      );
    });

    it('reads an open end after a day', () => {
      expect(humanDate('2022-02-24/..', '2022-02-24', '9999-12-31', 'interval')).toBe(
        'since 24 February 2022, ongoing',
      );
    });

    it('reads an unknown end as "from", noting the end is not known', () => {
      expect(humanDate('2024-06/', '2024-06-01', '9999-12-31', 'interval')).toBe(
        'from June 2024 (end not known)',
      );
    });

    it('reads an open start as "until"', () => {
      expect(humanDate('../2024', '0001-01-01', '2024-12-31', 'interval')).toBe('until 2024');
    });

    it('reads an unknown start as "until", noting the start is not known', () => {
      expect(humanDate('/2024-06-20', '0001-01-01', '2024-06-20', 'interval')).toBe(
        'until 20 June 2024 (start not known)',
      );
    });

    it('keeps the qualifier of the start of an ongoing interval', () => {
      expect(humanDateParts('2024-06~/..', '2024-06-01', '9999-12-31', 'interval')).toEqual({
        text: 'since June 2024, ongoing',
        notes: ['approximate'],
      });
    });

    it('says which end is uncertain and which approximate (2024?/2025~)', () => {
      expect(humanDate('2024?/2025~', '2024-01-01', '2025-12-31', 'interval')).toBe(
        'between 2024 and 2025 (start uncertain, end approximate)',
      );
    });

    it('reads an end with unspecified digits at the precision it is known to', () => {
      expect(humanDate('201X/2024-06', '2010-01-01', '2024-06-30', 'interval')).toBe(
        'between the 2010s and June 2024',
      );
    });

    it('reads an ongoing interval from a decade', () => {
      expect(humanDate('201X/..', '2010-01-01', '9999-12-31', 'interval')).toBe('since the 2010s, ongoing');
    });

    it('attributes a qualifier to the end it belongs to', () => {
      expect(humanDate('2024-06-10~/2024-06-20', '2024-06-03', '2024-06-20', 'interval')).toBe(
        'between 10 and 20 June 2024 (start approximate)',
      );
    });
  });

  describe('unspecified digits', () => {
    it.each([
      ['2024-XX', '2024-01-01', '2024-12-31', 'year', 'a month in 2024'],
      ['2024-XX-XX', '2024-01-01', '2024-12-31', 'year', 'a day in 2024'],
      ['2024-06-XX', '2024-06-01', '2024-06-30', 'month', 'a day in June 2024'],
      ['201X', '2010-01-01', '2019-12-31', 'decade', 'a year in the 2010s'],
      ['20XX', '2000-01-01', '2099-12-31', 'century', 'a year from 2000 to 2099'],
      ['201X?', '2010-01-01', '2019-12-31', 'decade', 'a year in the 2010s (uncertain)'],
    ] as const)(
      'reads %s as one unit of what is known, not said which',
      (date, earliest, latest, precision, reading) => {
        expect(humanDate(date, earliest, latest, precision)).toBe(reading);
      },
    );
  });

  describe('fallbacks', () => {
    it('falls back to the bounds for EDTF it does not read (level 2 unspecified digits)', () => {
      expect(humanDate('2024-06-1X', '2024-06-10', '2024-06-19', 'interval')).toBe(
        'between 10 and 19 June 2024',
      );
    });

    it('falls back to a between-reading of the bounds when the precision does not narrow them', () => {
      expect(humanDate('[2020..2029]', '2020-01-01', '2029-12-31', 'year')).toBe(
        'between 1 January 2020 and 31 December 2029',
      );
    });

    it('rejects an impossible calendar date rather than reading it', () => {
      expect(humanDate('2023-02-29', '2023-02-28', '2023-03-01', 'interval')).toBe(
        'between 28 February and 1 March 2023',
      );
    });

    it('returns the date as written when neither the date nor the bounds can be read', () => {
      expect(humanDate('-0044-03-15', '', '', 'day')).toBe('-0044-03-15');
    });
  });
});

describe('humanDateParts', () => {
  it('separates the caveats from the reading', () => {
    expect(humanDateParts('2024-06-15~', '2024-06-08', '2024-06-22', 'day')).toEqual({
      text: 'mid-June 2024',
      notes: ['approximate'],
    });
  });
});

describe('humanCalendarDate', () => {
  it('reads the calendar date of a timestamp as written, without shifting time zones', () => {
    expect(humanCalendarDate('2024-06-28T23:30:00-05:00')).toBe('28 June 2024');
  });

  it('is undefined for a value that is not an ISO date', () => {
    expect(humanCalendarDate('last Tuesday')).toBeUndefined();
  });
});
