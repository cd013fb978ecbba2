import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, parseEventDate, spanDays } from '../../shared/domain/dates.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import type { Granule } from '../../shared/store/keys.ts';
import { timelineItemKeys } from '../../shared/store/timeline-items.ts';
import {
  coverageGranules,
  drivingDimensions,
  isStraddler,
  needsCoverage,
  planTimeline,
} from '../../shared/store/timeline-plan.ts';
import { eventInput, state, timelineFilter } from '../fixtures/events.ts';

const WIDTH: Record<Granule['unit'], number> = { M: 7, Y: 4, D: 3, C: 2, K: 1 };

/** The five coverage partitions of a dimension that can hold an interval touching `day`, read up to `day`. */
const coverageOf = (dimension: string, day: string) => [
  { pk: `TLC#${dimension}#M#${day.slice(0, 7)}`, upper: day },
  { pk: `TLC#${dimension}#Y#${day.slice(0, 4)}`, upper: day },
  { pk: `TLC#${dimension}#D#${day.slice(0, 3)}`, upper: day },
  { pk: `TLC#${dimension}#C#${day.slice(0, 2)}`, upper: day },
  { pk: `TLC#${dimension}#K#${day.slice(0, 1)}`, upper: day },
];

describe('drivingDimensions', () => {
  it('reads the whole timeline when nothing is filtered', () => {
    expect(drivingDimensions(timelineFilter())).toEqual([{ name: 'all' }]);
  });

  it('drives by kind when only kinds are filtered, one partition per kind', () => {
    expect(drivingDimensions(timelineFilter({ kinds: ['missile-launch', 'pact-signing'] }))).toEqual([
      { name: 'kind', value: 'missile-launch' },
      { name: 'kind', value: 'pact-signing' },
    ]);
  });

  it('prefers tags to kinds', () => {
    expect(drivingDimensions(timelineFilter({ kinds: ['statement'], tags: ['arms-embargo'] }))).toEqual([
      { name: 'tag', value: 'arms-embargo' },
    ]);
  });

  it('prefers actors to tags and kinds', () => {
    expect(
      drivingDimensions(timelineFilter({ kinds: ['statement'], tags: ['arms-embargo'], actors: ['KP'] })),
    ).toEqual([{ name: 'actor', value: 'KP' }]);
  });
});

describe('planTimeline', () => {
  it('reads the all partition from start to end without a date range', () => {
    expect(planTimeline(timelineFilter())).toEqual({
      main: [{ pk: 'TL#all' }],
      straddlers: [],
      driving: 'all',
    });
  });

  it('starts the main range at from', () => {
    expect(planTimeline(timelineFilter({ from: '2024-01-01' })).main).toEqual([
      { pk: 'TL#all', lower: '2024-01-01' },
    ]);
  });

  it('ends the main range after every sort key of the to day', () => {
    const [range] = planTimeline(timelineFilter({ to: '2024-06-30' })).main;
    expect(range).toEqual({ pk: 'TL#all', upper: '2024-06-30~' });
    expect('2024-06-30#0000001#01J1Z8Q4Y6V3W2X1A0B9C8D7E6' <= range!.upper!).toBe(true);
    expect('2024-07-01#0000001#01J1Z8Q4Y6V3W2X1A0B9C8D7E6' <= range!.upper!).toBe(false);
  });

  it('bounds the main range on both sides with from and to', () => {
    expect(planTimeline(timelineFilter({ from: '2024-06-01', to: '2024-06-30' })).main).toEqual([
      { pk: 'TL#all', lower: '2024-06-01', upper: '2024-06-30~' },
    ]);
  });

  it('reads one main range per kind', () => {
    const plan = planTimeline(timelineFilter({ kinds: ['missile-launch', 'resolution'] }));
    expect(plan.main).toEqual([{ pk: 'TL#kind#missile-launch' }, { pk: 'TL#kind#resolution' }]);
    expect(plan.driving).toBe('kind');
  });

  it('reads the actor partition and leaves the kind to be checked per item', () => {
    const plan = planTimeline(timelineFilter({ actors: ['KP'], kinds: ['missile-launch'] }));
    expect(plan.main).toEqual([{ pk: 'TL#actor#KP' }]);
    expect(plan.driving).toBe('actor');
  });

  it('reads the tag partition when tags are filtered', () => {
    expect(planTimeline(timelineFilter({ tags: ['arms-embargo'] })).main).toEqual([
      { pk: 'TL#tag#arms-embargo' },
    ]);
  });

  it('looks for no straddlers without from', () => {
    expect(planTimeline(timelineFilter({ to: '2024-06-30' })).straddlers).toEqual([]);
  });

  describe('straddlers of a from in the middle of a month', () => {
    const plan = planTimeline(timelineFilter({ from: '2024-06-15' }));

    it('reads months that begin on the 1st of from’s month (spans 28 to 31 days)', () => {
      expect(plan.straddlers).toContainEqual({
        pk: 'TL#all',
        lower: '2024-06-01#0000028',
        upper: '2024-06-01#0000031~',
      });
    });

    it('reads years that begin on 1 January of from’s year (spans 365 or 366 days)', () => {
      expect(plan.straddlers).toContainEqual({
        pk: 'TL#all',
        lower: '2024-01-01#0000365',
        upper: '2024-01-01#0000366~',
      });
    });

    it('reads the coverage partitions of from’s month, year, decade, century and millennium', () => {
      for (const range of coverageOf('all', '2024-06-15')) expect(plan.straddlers).toContainEqual(range);
    });

    it('reads coverage partitions only up to from: intervals starting on or after from are in the main range', () => {
      const [coverage] = coverageOf('all', '2024-06-15');
      expect('2024-06-14#0000030#01J1Z8Q4Y6V3W2X1A0B9C8D7E6' <= coverage!.upper).toBe(true);
      expect('2024-06-15#0000002#01J1Z8Q4Y6V3W2X1A0B9C8D7E6' <= coverage!.upper).toBe(false);
    });

    it('reads nothing else', () => {
      expect(plan.straddlers).toHaveLength(7);
    });
  });

  it('skips the month straddlers when from is the 1st of a month', () => {
    const plan = planTimeline(timelineFilter({ from: '2024-06-01' }));
    expect(plan.straddlers).toEqual([
      { pk: 'TL#all', lower: '2024-01-01#0000365', upper: '2024-01-01#0000366~' },
      ...coverageOf('all', '2024-06-01'),
    ]);
  });

  it('skips the month and year straddlers when from is 1 January', () => {
    expect(planTimeline(timelineFilter({ from: '2024-01-01' })).straddlers).toEqual(
      coverageOf('all', '2024-01-01'),
    );
  });

  it('looks for straddlers in every driving partition', () => {
    const plan = planTimeline(timelineFilter({ from: '2024-01-01', actors: ['KP', 'RU'] }));
    expect(plan.straddlers).toEqual([
      ...coverageOf('actor#KP', '2024-01-01'),
      ...coverageOf('actor#RU', '2024-01-01'),
    ]);
  });
});

/** The granules an interval is written under, as `<unit><value>` names (`Y2024`, `M2024-06`). */
const granuleNames = (earliest: string, latest: string) =>
  coverageGranules(earliest, latest).map((g) => `${g.unit}${g.value}`);

describe('coverageGranules', () => {
  it('writes the seed’s mid-June interval under June 2024', () => {
    expect(coverageGranules('2024-06-10', '2024-06-20')).toEqual([{ unit: 'M', value: '2024-06' }]);
  });

  it('writes a short interval under each month it touches, across a year end', () => {
    expect(coverageGranules('2023-12-20', '2024-01-10')).toEqual([
      { unit: 'M', value: '2023-12' },
      { unit: 'M', value: '2024-01' },
    ]);
  });

  it('uses months up to 100 days', () => {
    expect(coverageGranules('2024-01-01', addDays('2024-01-01', 99))[0]?.unit).toBe('M');
  });

  it('uses years from 101 days', () => {
    expect(coverageGranules('2023-09-23', '2023-12-31')).toEqual([
      { unit: 'M', value: '2023-09' },
      { unit: 'M', value: '2023-10' },
      { unit: 'M', value: '2023-11' },
      { unit: 'M', value: '2023-12' },
    ]);
    expect(coverageGranules('2023-09-22', '2023-12-31')).toEqual([{ unit: 'Y', value: '2023' }]);
  });

  it('writes a year interval under each of its years', () => {
    expect(coverageGranules('2019-01-01', '2023-12-31').map((g) => g.value)).toEqual([
      '2019',
      '2020',
      '2021',
      '2022',
      '2023',
    ]);
  });

  it('refines the year a multi-year interval ends partway through into months', () => {
    expect(granuleNames('2019-12-01', '2024-02-10')).toEqual(
      'Y2019 Y2020 Y2021 Y2022 Y2023 M2024-01 M2024-02'.split(' '),
    );
  });

  it('uses years up to 3,700 days and decades beyond', () => {
    expect(coverageGranules('2000-01-01', addDays('2000-01-01', 3699))[0]?.unit).toBe('Y');
    expect(coverageGranules('2000-01-01', addDays('2000-01-01', 3700))[0]?.unit).toBe('D');
  });

  it('writes a long interval under each decade it touches, the last one refined into years and months', () => {
    expect(granuleNames('1991-12-26', '2024-06-28')).toEqual(
      'D199 D200 D201 Y2020 Y2021 Y2022 Y2023 M2024-01 M2024-02 M2024-03 M2024-04 M2024-05 M2024-06'.split(
        ' ',
      ),
    );
  });

  it('writes a centuries-long interval under centuries, refining only as far as it ends partway', () => {
    expect(granuleNames('1800-01-01', '2024-12-31')).toEqual(
      'C18 C19 D200 D201 Y2020 Y2021 Y2022 Y2023 Y2024'.split(' '),
    );
  });

  it('writes the widest interval, 0001 to 9999, under ten millennia', () => {
    expect(granuleNames('0001-01-01', '9999-12-31')).toEqual('K0 K1 K2 K3 K4 K5 K6 K7 K8 K9'.split(' '));
  });

  it('stops at the end of year 9999 for an interval in December 9999', () => {
    expect(coverageGranules('9999-12-01', '9999-12-31')).toEqual([{ unit: 'M', value: '9999-12' }]);
  });

  it('stops at the end of year 9999 for a decade-long interval ending in 9999', () => {
    expect(coverageGranules('9990-01-01', '9999-12-31')).toHaveLength(10);
  });

  describe('properties', () => {
    const intervalArb = fc
      .tuple(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.oneof(
          fc.integer({ min: 0, max: 120 }),
          fc.integer({ min: 0, max: 4000 }),
          fc.integer({ min: 0, max: 40_000 }),
          fc.integer({ min: 0, max: 3_652_058 }),
        ),
      )
      .map(([start, length]) => {
        const earliest = start.toISOString().slice(0, 10);
        const beyondYear9999 = start.getTime() + length * 86_400_000 > Date.parse('9999-12-31');
        return { earliest, latest: beyondYear9999 ? '9999-12-31' : addDays(earliest, length) };
      });

    /** The granules among `granules` that hold `day`. */
    const holding = (granules: Granule[], day: string) =>
      granules.filter((g) => day.slice(0, WIDTH[g.unit]) === g.value);

    it('holds every day of the interval in exactly one granule', () => {
      fc.assert(
        fc.property(intervalArb, ({ earliest, latest }) => {
          const granules = coverageGranules(earliest, latest);
          const days = spanDays(earliest, latest) - 1;
          for (let i = 0; i <= 40; i++) {
            const day = addDays(earliest, Math.floor((days * i) / 40));
            expect(holding(granules, day)).toHaveLength(1);
          }
          expect(holding(granules, latest)).toHaveLength(1);
        }),
        { numRuns: 300 },
      );
    });

    it('writes an interval under at most 50 granules, a dozen or so unless it is years long', () => {
      fc.assert(
        fc.property(intervalArb, ({ earliest, latest }) => {
          const granules = coverageGranules(earliest, latest);
          expect(granules.length).toBeGreaterThan(0);
          expect(granules.length).toBeLessThanOrEqual(spanDays(earliest, latest) <= 100 ? 5 : 50);
          expect(new Set(granules.map((g) => `${g.unit}${g.value}`)).size).toBe(granules.length);
        }),
        { numRuns: 500 },
      );
    });

    it('lists an interval after its end only under that month (a coarser granule would list it for longer)', () => {
      fc.assert(
        fc.property(intervalArb, fc.integer({ min: 1, max: 4000 }), ({ earliest, latest }, after) => {
          const day = addDays(latest, after);
          fc.pre(!day.startsWith('+') && day <= '9999-12-31');
          const lookups = new Set(coverageOf('all', day).map((range) => range.pk));
          const listed = coverageGranules(earliest, latest).filter((g) =>
            lookups.has(`TLC#all#${g.unit}#${g.value}`),
          );
          expect(listed.every((g) => g.unit === 'M' && g.value === day.slice(0, 7))).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('names only granules the interval touches', () => {
      fc.assert(
        fc.property(intervalArb, ({ earliest, latest }) => {
          for (const { unit, value } of coverageGranules(earliest, latest)) {
            const width = WIDTH[unit];
            expect(value >= earliest.slice(0, width) && value <= latest.slice(0, width)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('puts every interval that overlaps a day into one of that day’s coverage partitions', () => {
      const dayArb = fc
        .date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
      fc.assert(
        fc.property(intervalArb, dayArb, ({ earliest, latest }, seed) => {
          // Pick a day inside the interval.
          const offset =
            Math.abs(seed.charCodeAt(8) * 7919 + seed.charCodeAt(9)) % spanDays(earliest, latest);
          const day = addDays(earliest, offset);
          const lookups = new Set(coverageOf('all', day).map((range) => range.pk));
          const written = coverageGranules(earliest, latest).map((g) => `TLC#all#${g.unit}#${g.value}`);
          expect(written.some((pk) => lookups.has(pk))).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('isStraddler', () => {
  it('accepts a month that starts before from and ends on or after it', () => {
    expect(isStraddler({ earliest: '2024-06-01', latest: '2024-06-30' }, '2024-06-15')).toBe(true);
  });

  it('refuses an event that starts on from (the main range has it)', () => {
    expect(isStraddler({ earliest: '2024-06-15', latest: '2024-06-30' }, '2024-06-15')).toBe(false);
  });

  it('refuses an interval that ended before from', () => {
    expect(isStraddler({ earliest: '2024-01-01', latest: '2024-06-14' }, '2024-06-15')).toBe(false);
  });

  it('accepts an interval that ends on from', () => {
    expect(isStraddler({ earliest: '2024-06-10', latest: '2024-06-15' }, '2024-06-15')).toBe(true);
  });
});

describe('coverage of open and unknown ends, and of unspecified digits', () => {
  const granulesOf = (date: string) => {
    const { earliest, latest } = parseEventDate(date);
    return granuleNames(earliest, latest);
  };

  it('writes an ongoing interval (2024-06/..) under the eight millennia it reaches, to 9999', () => {
    expect(granulesOf('2024-06/..')).toEqual('K2 K3 K4 K5 K6 K7 K8 K9'.split(' '));
  });

  it('writes an end not known (2024-06/) as an ongoing one', () => {
    expect(granulesOf('2024-06/')).toEqual(granulesOf('2024-06/..'));
  });

  it('writes an open start (../2024) under millennia from 0001, refined where it ends', () => {
    expect(granulesOf('../2024')).toEqual('K0 K1 D200 D201 Y2020 Y2021 Y2022 Y2023 Y2024'.split(' '));
  });

  it('writes a decade (201X) under its ten years and a century (20XX) under its ten decades', () => {
    expect(granulesOf('201X')).toEqual(Array.from({ length: 10 }, (_, i) => `Y${2010 + i}`));
    expect(granulesOf('20XX')).toEqual(Array.from({ length: 10 }, (_, i) => `D${200 + i}`));
  });

  it.each([
    ['2024-06-15', false],
    ['2024-06', false],
    ['2024-06-XX', false],
    ['2024', false],
    ['2024-XX', false],
    ['201X', true],
    ['20XX', true],
    ['2024-06-10/2024-06-20', true],
    ['2024-06/..', true],
  ])('covers %s: %s (what the straddler ranges of a day cannot find)', (date, covered) => {
    expect(needsCoverage(parseEventDate(date))).toBe(covered);
  });

  it('finds every uncovered date with the straddler ranges: a day, or a whole calendar month or year', () => {
    for (const date of ['2024-06-15', '2024-06', '2024-06-XX', '2024', '2024-XX', '2024-XX-XX']) {
      const { earliest, latest, precision } = parseEventDate(date);
      const span = spanDays(earliest, latest);
      const month =
        earliest.endsWith('-01') && span >= 28 && span <= 31 && latest.slice(0, 7) === earliest.slice(0, 7);
      const year = earliest.endsWith('-01-01') && latest === `${earliest.slice(0, 4)}-12-31`;
      expect({ date, found: span === 1 || month || year }).toEqual({ date, found: true });
      expect(needsCoverage({ precision })).toBe(false);
    }
  });

  it('writes an event ongoing since 0001 with five actors and three tags as 11 items per dimension', () => {
    const input = eventInput({
      date: '0001-01-01/..',
      actors: ['RU', 'UA', 'KP', 'US', 'CN'].map((code) => state(code)),
      tags: ['a', 'b', 'c'],
    });
    const { date: _date, ...resolved } = parseEventDate(input.date);
    const event: TimelineEvent = { ...input, ...resolved, id: 'X', createdAt: '', updatedAt: '', version: 1 };
    // all, kind, 5 actors, 3 tags: each its main item and ten millennia.
    const postings = timelineItemKeys(event).filter((key) => /^TLC?#/.test(key.pk));
    expect(postings).toHaveLength(10 * 11);
  });
});
