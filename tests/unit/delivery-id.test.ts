import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { deliveryIdFor } from '../../shared/domain/delivery.ts';

const SUBSCRIPTION = '01J1AB2CD3EF4GH5JK6MN7PQ8R';
const OTHER_SUBSCRIPTION = '01J1AB2CD3EF4GH5JK6MN7PQ8S';
const EVENT = '01J1Z0Y9X8W7V6T5S4R3Q2P1N0';
const AT = '2024-06-19T10:00:00.000Z';

describe('deliveryIdFor', () => {
  it('gives the same id for the same subscription, event, version and time', () => {
    expect(deliveryIdFor(SUBSCRIPTION, EVENT, 1, AT)).toBe(deliveryIdFor(SUBSCRIPTION, EVENT, 1, AT));
  });

  it('gives another id for another subscription', () => {
    expect(deliveryIdFor(SUBSCRIPTION, EVENT, 1, AT)).not.toBe(
      deliveryIdFor(OTHER_SUBSCRIPTION, EVENT, 1, AT),
    );
  });

  it('gives another id for another version of the event', () => {
    expect(deliveryIdFor(SUBSCRIPTION, EVENT, 1, AT)).not.toBe(deliveryIdFor(SUBSCRIPTION, EVENT, 2, AT));
  });

  it('gives another id for another event', () => {
    expect(deliveryIdFor(SUBSCRIPTION, EVENT, 1, AT)).not.toBe(
      deliveryIdFor(SUBSCRIPTION, '01J1Z0Y9X8W7V6T5S4R3Q2P1N1', 1, AT),
    );
  });

  it('gives distinct ids across many subscriptions and versions', () => {
    const ids = new Set<string>();
    for (let s = 0; s < 200; s++) {
      for (let version = 1; version <= 5; version++) {
        ids.add(deliveryIdFor(`01J1AB2CD3EF4GH5JK6MN7${String(s).padStart(4, '0')}`, EVENT, version, AT));
      }
    }
    expect(ids.size).toBe(1000);
  });

  it('is a valid ULID whose time is the change time', () => {
    const id = deliveryIdFor(SUBSCRIPTION, EVENT, 3, AT);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isValid(id)).toBe(true);
    expect(decodeTime(id)).toBe(Date.parse(AT));
  });

  it('sorts by the time of the change', () => {
    const times = [
      '2024-06-19T10:00:00.000Z',
      '2024-06-19T10:00:00.001Z',
      '2024-06-28T22:45:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ];
    const ids = times.map((at, i) =>
      deliveryIdFor(i % 2 ? SUBSCRIPTION : OTHER_SUBSCRIPTION, EVENT, 4 - i, at),
    );
    expect([...ids].sort()).toEqual(ids);
  });
});
