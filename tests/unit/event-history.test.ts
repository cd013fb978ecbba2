import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { stateBefore, statesAtChanges } from '../../shared/domain/event-history.ts';

const current: TimelineEvent = {
  id: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6',
  kind: 'missile-launch',
  title: 'Four ballistic missiles fired at Ukraine',
  summary: '',
  date: '2024-06-19',
  earliest: '2024-06-19',
  latest: '2024-06-19',
  precision: 'day',
  actors: [{ type: 'state', code: 'RU' }],
  tags: [],
  sources: [{ url: 'https://example.org/a', title: 'A', publisher: 'P', publishedAt: '2024-06-28' }],
  createdAt: '2024-06-28T10:00:00.000Z',
  updatedAt: '2024-06-28T12:00:00.000Z',
  version: 3,
};

describe('stateBefore', () => {
  it('puts back the previous date and resolves it again', () => {
    const before = stateBefore(current, {
      version: 3,
      at: current.updatedAt,
      previous: { date: '2024-06~' },
    });
    expect(before).toMatchObject({
      date: '2024-06~',
      earliest: '2024-06-01',
      latest: '2024-06-30',
      precision: 'month',
      qualifier: 'approximate',
      version: 2,
    });
  });

  it('removes a field the change added (its previous value is null)', () => {
    const withPlace = { ...current, location: { name: 'Kharkiv', country: 'UA' } };
    const before = stateBefore(withPlace, {
      version: 3,
      at: current.updatedAt,
      previous: { location: null } as never,
    });
    expect(before).not.toHaveProperty('location');
  });
});

describe('statesAtChanges', () => {
  it('gives each pending change the event as that change left it', () => {
    const states = statesAtChanges(current, [
      { version: 1, at: '2024-06-28T10:00:00.000Z' },
      { version: 2, at: '2024-06-28T11:00:00.000Z', previous: { title: 'Missiles fired' } },
      { version: 3, at: '2024-06-28T12:00:00.000Z', previous: { date: '2024-06' } },
    ]);
    expect(states.get(3)).toMatchObject({ title: current.title, date: '2024-06-19', version: 3 });
    expect(states.get(2)).toMatchObject({
      title: current.title,
      date: '2024-06',
      precision: 'month',
      version: 2,
    });
    expect(states.get(1)).toMatchObject({ title: 'Missiles fired', date: '2024-06', version: 1 });
  });

  it('keeps the current state for the only pending change', () => {
    const states = statesAtChanges(current, [
      { version: 3, at: current.updatedAt, previous: { title: 'x' } },
    ]);
    expect(states.get(3)).toEqual(current);
  });
});
