import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { parseEventDate } from '../../shared/domain/dates.ts';
import { alertPayload } from '../../shared/domain/delivery.ts';
import {
  buildDigest,
  type DigestEntry,
  type DigestSchedule,
  digestDeliveryId,
  digestScheduleOf,
  digestSettings,
  type EntryWithMessage,
  MAX_DIGEST_ITEMS,
  periodAfter,
  periodOf,
} from '../../shared/domain/digest.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput } from '../fixtures/events.ts';

const SUBSCRIPTION = '01J1AB2CD3EF4GH5JK6MN7PQ8R';
const daily: DigestSchedule = { frequency: 'daily', hour: 7 };
const weekly: DigestSchedule = { frequency: 'weekly', hour: 7 };

describe('digestScheduleOf', () => {
  it('has no schedule for an immediate subscription, or one that names no frequency', () => {
    expect(digestScheduleOf({ frequency: 'immediate', digestHour: 9 })).toBeUndefined();
    expect(digestScheduleOf({})).toBeUndefined();
  });

  it('sends at 07:00 UTC when no hour is named', () => {
    expect(digestScheduleOf({ frequency: 'weekly' })).toEqual({ frequency: 'weekly', hour: 7 });
  });
});

describe('digestSettings', () => {
  it('stores nothing for a new immediate subscription', () => {
    expect(digestSettings({}, {})).toEqual({});
    expect(digestSettings({}, { frequency: 'immediate' })).toEqual({});
  });

  it('gives a new digest subscription the default hour', () => {
    expect(digestSettings({}, { frequency: 'daily' })).toEqual({ frequency: 'daily', digestHour: 7 });
  });

  it('keeps the frequency and hour a change does not name', () => {
    expect(digestSettings({ frequency: 'weekly', digestHour: 18 }, { digestHour: 6 })).toEqual({
      frequency: 'weekly',
      digestHour: 6,
    });
    expect(digestSettings({ frequency: 'weekly', digestHour: 18 }, { frequency: 'daily' })).toEqual({
      frequency: 'daily',
      digestHour: 18,
    });
  });

  it('drops the frequency when a subscription goes back to immediate, and keeps its hour for later', () => {
    expect(digestSettings({ frequency: 'daily', digestHour: 9 }, { frequency: 'immediate' })).toEqual({
      digestHour: 9,
    });
    expect(digestSettings({ digestHour: 9 }, { frequency: 'weekly' })).toEqual({
      frequency: 'weekly',
      digestHour: 9,
    });
  });
});

describe('periodOf', () => {
  it('puts a change after the digest hour into the day that ends at the next one', () => {
    expect(periodOf('2024-06-27T08:30:00Z', daily)).toEqual({
      start: '2024-06-27T07:00:00.000Z',
      end: '2024-06-28T07:00:00.000Z',
    });
  });

  it('puts a change before the digest hour into the period that ends at it', () => {
    expect(periodOf('2024-06-27T06:59:59.999Z', daily)).toEqual({
      start: '2024-06-26T07:00:00.000Z',
      end: '2024-06-27T07:00:00.000Z',
    });
  });

  it('starts a period exactly on the hour', () => {
    expect(periodOf('2024-06-27T07:00:00.000Z', daily).start).toBe('2024-06-27T07:00:00.000Z');
  });

  it('runs a weekly period from Monday at the hour to the next Monday', () => {
    // 2024-06-27 is a Thursday; 2024-06-24 the Monday before.
    expect(periodOf('2024-06-27T12:00:00Z', weekly)).toEqual({
      start: '2024-06-24T07:00:00.000Z',
      end: '2024-07-01T07:00:00.000Z',
    });
  });

  it('counts a Monday before the hour into the week before', () => {
    expect(periodOf('2024-07-01T06:00:00Z', weekly).end).toBe('2024-07-01T07:00:00.000Z');
  });

  it('takes the hour at midnight and late in the day alike', () => {
    expect(periodOf('2024-12-31T23:30:00Z', { frequency: 'daily', hour: 0 })).toEqual({
      start: '2024-12-31T00:00:00.000Z',
      end: '2025-01-01T00:00:00.000Z',
    });
    expect(periodOf('2024-03-01T22:00:00Z', { frequency: 'daily', hour: 23 }).start).toBe(
      '2024-02-29T23:00:00.000Z',
    );
  });
});

describe('periodAfter', () => {
  it('is the period starting where the given one ends', () => {
    const first = periodOf('2024-06-27T08:00:00Z', weekly);
    expect(periodAfter(first, weekly)).toEqual({
      start: '2024-07-01T07:00:00.000Z',
      end: '2024-07-08T07:00:00.000Z',
    });
  });
});

describe('digestDeliveryId', () => {
  const period = periodOf('2024-06-27T08:00:00Z', daily);

  it('is one ULID per subscription and period, timed at the period end', () => {
    const id = digestDeliveryId(SUBSCRIPTION, period);
    expect(isValid(id)).toBe(true);
    expect(decodeTime(id)).toBe(Date.parse(period.end));
    expect(digestDeliveryId(SUBSCRIPTION, { ...period })).toBe(id);
  });

  it('differs for another period or another subscription', () => {
    const id = digestDeliveryId(SUBSCRIPTION, period);
    expect(digestDeliveryId(SUBSCRIPTION, periodAfter(period, daily))).not.toBe(id);
    expect(digestDeliveryId('01J1AB2CD3EF4GH5JK6MN7PQ8S', period)).not.toBe(id);
  });
});

function storedEvent(id: string, date: string, title = `Event ${id}`): TimelineEvent {
  const { date: _written, ...resolved } = parseEventDate(date);
  return {
    ...eventInput({ title, date }),
    ...resolved,
    id,
    createdAt: '2024-06-27T08:00:00.000Z',
    updatedAt: '2024-06-27T08:00:00.000Z',
    version: 1,
  };
}

function entryOf(
  event: TimelineEvent,
  happened: DigestEntry['happened'],
  message = alertPayload(happened.at(-1)!.type, happened.at(-1)!.at, event),
): EntryWithMessage {
  const version = happened.at(-1)!.version;
  return {
    entry: { eventId: event.id, version, message: { eventId: event.id, change: `v${version}` }, happened },
    message,
  };
}

describe('buildDigest', () => {
  const period = periodOf('2024-06-27T08:00:00Z', daily);
  const at = (hour: number) => `2024-06-27T${String(hour).padStart(2, '0')}:00:00.000Z`;

  it('lists nothing (no digest) for a period without entries', () => {
    expect(buildDigest(SUBSCRIPTION, daily, period, [])).toBeUndefined();
  });

  it('lists an event changed three times once, in its latest state, with every change in order', () => {
    const latest = {
      ...storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N0', '2024-06-15'),
      title: 'Third title',
      version: 3,
    };
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      entryOf(latest, [
        { type: 'event.updated', version: 3, at: at(11), changed: ['title'] },
        { type: 'event.created', version: 1, at: at(9) },
        { type: 'event.updated', version: 2, at: at(10), changed: ['date'] },
      ]),
    ]);
    expect(digest?.data.items).toHaveLength(1);
    const [item] = digest!.data.items;
    expect(item!.status).toBe('created');
    expect(item!.event.title).toBe('Third title');
    expect(item!.changes.map((change) => change.version)).toEqual([1, 2, 3]);
  });

  it('shows an event deleted in the period as deleted, with its last state', () => {
    const event = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N1', '2024-01');
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      entryOf(event, [
        { type: 'event.updated', version: 2, at: at(9), changed: ['summary'] },
        { type: 'event.deleted', version: 3, at: at(10) },
      ]),
    ]);
    expect(digest?.data.items[0]).toMatchObject({
      status: 'deleted',
      event: { id: event.id, date: '2024-01' },
    });
  });

  it('calls an event only changed in the period updated', () => {
    const event = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N2', '2024-06-19');
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      entryOf(event, [{ type: 'event.updated', version: 4, at: at(9), changed: ['tags'] }]),
    ]);
    expect(digest?.data.items[0]?.status).toBe('updated');
  });

  it('orders the events as the timeline does, by their own date', () => {
    const june = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N3', '2024-06-28');
    const january = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N4', '2024-01');
    const invasion = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N5', '2022-02-24');
    const created = (hour: number) => [{ type: 'event.created' as const, version: 1, at: at(hour) }];
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      entryOf(june, created(8)),
      entryOf(january, created(9)),
      entryOf(invasion, created(10)),
    ]);
    expect(digest?.data.items.map((item) => item.event.date)).toEqual([
      '2022-02-24',
      '2024-01',
      '2024-06-28',
    ]);
  });

  it('names its subscription, period, frequency and idempotent digest', () => {
    const event = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N6', '2024-06-19');
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      entryOf(event, [{ type: 'event.created', version: 1, at: at(9) }]),
    ]);
    expect(digest).toMatchObject({
      type: 'event.digest',
      timestamp: period.end,
      data: {
        subscriptionId: SUBSCRIPTION,
        digest: `digest:${SUBSCRIPTION}:${period.start}`,
        frequency: 'daily',
        period,
        omitted: 0,
      },
    });
  });

  it('leaves out an entry whose message is no longer kept', () => {
    const event = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N7', '2024-06-19');
    const kept = storedEvent('01J1Z0Y9X8W7V6T5S4R3Q2P1N8', '2024-06-20');
    const digest = buildDigest(SUBSCRIPTION, daily, period, [
      { ...entryOf(event, [{ type: 'event.created', version: 1, at: at(9) }]), message: undefined },
      entryOf(kept, [{ type: 'event.created', version: 1, at: at(9) }]),
    ]);
    expect(digest?.data.items.map((item) => item.event.id)).toEqual([kept.id]);
  });

  it(`lists at most ${MAX_DIGEST_ITEMS} events and counts the rest`, () => {
    const entries = Array.from({ length: MAX_DIGEST_ITEMS + 7 }, (_, i) =>
      entryOf(storedEvent(`01J1Z0Y9X8W7V6T5S4R3Q${String(i).padStart(4, '0')}`, '2024-06-19'), [
        { type: 'event.created', version: 1, at: at(9) },
      ]),
    );
    const digest = buildDigest(SUBSCRIPTION, daily, period, entries);
    expect(digest?.data.items).toHaveLength(MAX_DIGEST_ITEMS);
    expect(digest?.data.omitted).toBe(7);
  });
});
