import { describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../shared/alerts/channels.ts';
import { DISABLE_AFTER_MS, nextHealth } from '../../shared/alerts/subscription-health.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2024-06-28T22:45:00.000Z');

function webhook(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: '01J1AB2CD3EF4GH5JK6MN7PQ8R',
    channel: 'webhook',
    url: 'https://hooks.example.org/dateline',
    filter: { kinds: [], actors: ['KP'], tags: [] },
    types: ['event.created'],
    status: 'active',
    secrets: [],
    createdAt: '2024-06-01T00:00:00.000Z',
    updatedAt: '2024-06-01T00:00:00.000Z',
    version: 4,
    ...overrides,
  };
}

const success: SendOutcome = { ok: true, status: 200, latencyMs: 12, gone: false };
const failure: SendOutcome = { ok: false, status: 500, latencyMs: 12, gone: false };
const gone: SendOutcome = { ok: false, status: 410, latencyMs: 12, gone: true };
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('nextHealth', () => {
  it('marks the first failure as the start of a failing run', () => {
    const next = nextHealth(webhook(), failure, NOW);
    expect(next).toMatchObject({ status: 'active', failingSince: NOW.toISOString(), version: 5 });
  });

  it('keeps the start of a failing run on later failures', () => {
    expect(nextHealth(webhook({ failingSince: ago(DAY) }), failure, NOW)).toBeUndefined();
  });

  it('clears the failing run on a success', () => {
    const next = nextHealth(webhook({ failingSince: ago(2 * DAY) }), success, NOW);
    expect(next).toBeDefined();
    expect(next).not.toHaveProperty('failingSince');
    expect(next).toMatchObject({ status: 'active', version: 5, updatedAt: NOW.toISOString() });
  });

  it('changes nothing on a success of a healthy subscription', () => {
    expect(nextHealth(webhook(), success, NOW)).toBeUndefined();
  });

  it('disables at once when the receiver answers 410 Gone', () => {
    const next = nextHealth(webhook(), gone, NOW);
    expect(next).toMatchObject({ status: 'disabled', version: 5 });
    expect(next?.statusReason).toMatch(/410/);
  });

  it('disables after five days of failures without a success', () => {
    const failingSince = ago(DISABLE_AFTER_MS);
    expect(DISABLE_AFTER_MS).toBe(5 * DAY);
    const next = nextHealth(webhook({ failingSince }), failure, NOW);
    expect(next).toMatchObject({ status: 'disabled' });
    expect(next?.statusReason).toContain(failingSince);
  });

  it('does not disable after less than five days of failures', () => {
    expect(nextHealth(webhook({ failingSince: ago(5 * DAY - 60_000) }), failure, NOW)).toBeUndefined();
  });

  it('leaves subscriptions that are not active alone', () => {
    for (const status of ['pending', 'disabled', 'unsubscribed'] as const) {
      expect(nextHealth(webhook({ status }), gone, NOW)).toBeUndefined();
      expect(nextHealth(webhook({ status, failingSince: ago(6 * DAY) }), failure, NOW)).toBeUndefined();
    }
  });
});
