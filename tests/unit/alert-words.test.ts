import { describe, expect, it } from 'vitest';
import { humanPrecision } from '../../shared/delivery/email/human-date.ts';
import { actorWords, locationWords, readableEvent } from '../../shared/delivery/email/words.ts';
import { countryLabel, countryName } from '../../shared/domain/country.ts';
import { eventKinds, kindLabel } from '../../shared/domain/event.ts';

describe('countryName and countryLabel', () => {
  it('names a country in English', () => {
    expect(countryName('KP')).toBe('North Korea');
  });

  it('puts the code beside the name', () => {
    expect(countryLabel('KP')).toBe('North Korea (KP)');
  });

  it('keeps a code ICU does not name, and one that is not a region code, as it is', () => {
    expect(countryLabel('ZZ')).toBe('ZZ');
    expect(countryLabel('LTU')).toBe('LTU');
  });
});

describe('kindLabel', () => {
  it('says each kind in words', () => {
    expect(eventKinds.map(kindLabel)).toEqual([
      'Pact signing',
      'Missile finding',
      'Missile launch',
      'Council meeting',
      'Resolution',
      'Sanctions report',
      'Statement',
      'Military action',
      'Other',
    ]);
  });

  it('leaves a value that is not a kind as it is', () => {
    expect(kindLabel('summit')).toBe('summit');
  });
});

describe('actorWords', () => {
  it('names a state with its code and role', () => {
    expect(actorWords({ type: 'state', code: 'KP', role: 'supplier' })).toBe('North Korea (KP), supplier');
  });

  it('says what an organisation or person is, then the role', () => {
    expect(actorWords({ type: 'person', name: 'Vladimir Putin', role: 'President of Russia' })).toBe(
      'Vladimir Putin (person), President of Russia',
    );
    expect(actorWords({ type: 'organisation', name: 'UN Panel of Experts' })).toBe(
      'UN Panel of Experts (organisation)',
    );
  });
});

describe('locationWords', () => {
  it('names the place and its country with the code', () => {
    expect(locationWords({ name: 'Kharkiv', country: 'UA' })).toBe('Kharkiv, Ukraine (UA)');
  });

  it('names a place without a country alone', () => {
    expect(locationWords({ name: 'Black Sea' })).toBe('Black Sea');
  });
});

describe('humanPrecision', () => {
  it.each([
    ['2024-06-28', 'day', 'a day'],
    ['2024-06-15~', 'day', 'an approximate day'],
    ['2024-06-15?', 'day', 'an uncertain day'],
    ['2024-06%', 'month', 'an approximate, uncertain month'],
    ['2024', 'year', 'a year'],
    ['2024-06-XX', 'month', 'a month'],
    ['2024-XX', 'year', 'a year'],
    ['201X', 'decade', 'a decade'],
    ['20XX', 'century', 'a century'],
    ['2024-06-10/2024-06-20', 'interval', 'from a day to a day'],
    ['2024?/2025~', 'interval', 'from an uncertain year to an approximate year'],
    ['2024-06/..', 'interval', 'from a month, open-ended'],
    ['2024-06/', 'interval', 'from a month; end not known'],
    ['../2024', 'interval', 'open start, to a year'],
    ['/2024-06-20', 'interval', 'start not known, to a day'],
    ['-0044-03-15', 'day', 'a day'],
  ] as const)('says %s is known as %s: %s', (date, precision, words) => {
    expect(humanPrecision(date, precision)).toBe(words);
  });
});

describe('readableEvent', () => {
  it('gives the date in words, its precision, the kind, place and actors', () => {
    expect(
      readableEvent({
        id: '01J',
        kind: 'pact-signing',
        title: 'Pact signed',
        summary: '',
        date: '2024-06-19',
        earliest: '2024-06-19',
        latest: '2024-06-19',
        precision: 'day',
        location: { name: 'Pyongyang', country: 'KP' },
        actors: [
          { type: 'state', code: 'RU' },
          { type: 'state', code: 'KP' },
        ],
        tags: [],
        sources: [],
      }),
    ).toEqual({
      date: '19 June 2024',
      precision: 'a day',
      kind: 'Pact signing',
      location: 'Pyongyang, North Korea (KP)',
      actors: ['Russia (RU)', 'North Korea (KP)'],
    });
  });
});
