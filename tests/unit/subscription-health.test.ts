import { describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../shared/alerts/channels.ts';
import { healthSignalOf } from '../../shared/alerts/subscription-health.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';
import {
  DISABLE_AFTER_MS,
  type HealthSignal,
  LAST_DELIVERY_RESOLUTION_MS,
  nextHealth,
} from '../../shared/domain/subscription-health.ts';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2024-06-28T22:45:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (date: Date) => date.toISOString();

function subscription(overrides: Partial<Subscription> = {}): Subscription {
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
const email = (overrides: Partial<Subscription> = {}) =>
  subscription({ channel: 'email', address: 'reader@example.net', url: undefined, ...overrides });

const delivered = (at = NOW): HealthSignal => ({ kind: 'delivered', at });
const failed = (at = NOW): HealthSignal => ({ kind: 'failed', at, detail: 'HTTP 500' });
const refused = (reason: string): HealthSignal => ({ kind: 'refused', reason });

describe('nextHealth: failures', () => {
  it('marks the first failure as the start of a failing run', () => {
    expect(nextHealth(subscription(), failed(), NOW)).toMatchObject({
      status: 'active',
      failingSince: iso(NOW),
      version: 5,
      updatedAt: iso(NOW),
    });
  });

  it('keeps the start of a failing run on later failures (no write)', () => {
    expect(nextHealth(subscription({ failingSince: iso(ago(DAY)) }), failed(), NOW)).toBeUndefined();
  });

  it('disables after five days of failures without a success, naming the start and the last error', () => {
    const failingSince = iso(ago(DISABLE_AFTER_MS));
    expect(DISABLE_AFTER_MS).toBe(5 * DAY);
    const next = nextHealth(subscription({ failingSince }), failed(), NOW);
    expect(next).toMatchObject({ status: 'disabled', failingSince });
    expect(next?.statusReason).toBe(`deliveries failed continuously since ${failingSince} (last: HTTP 500)`);
  });

  it('does not disable after less than five days of failures', () => {
    const failingSince = iso(ago(5 * DAY - 60_000));
    expect(nextHealth(subscription({ failingSince }), failed(), NOW)).toBeUndefined();
  });

  it('ignores a failure reported for a time before the last delivery (an SES event arriving late)', () => {
    const late = subscription({ lastDeliveryAt: iso(ago(60_000)) });
    expect(nextHealth(late, failed(ago(120_000)), NOW)).toBeUndefined();
  });
});

describe('nextHealth: refusals', () => {
  it('disables at once with the reason given (webhook 410)', () => {
    const next = nextHealth(subscription(), refused('the receiver answered 410 Gone'), NOW);
    expect(next).toMatchObject({
      status: 'disabled',
      statusReason: 'the receiver answered 410 Gone',
      version: 5,
    });
  });

  it('disables an email subscription whose address bounced permanently, with the bounce', () => {
    const reason = 'the address bounced permanently: 550 5.1.1 user unknown';
    expect(nextHealth(email(), refused(reason), NOW)).toMatchObject({
      status: 'disabled',
      statusReason: reason,
    });
  });

  it('disables a pending subscription whose confirmation mail was refused', () => {
    const reason = 'the recipient marked the confirmation mail as spam';
    expect(nextHealth(email({ status: 'pending' }), refused(reason), NOW)).toMatchObject({
      status: 'disabled',
      statusReason: reason,
    });
  });

  it('keeps the failing run of a subscription it disables, for the record', () => {
    const failingSince = iso(ago(DAY));
    expect(nextHealth(email({ failingSince }), refused('spam'), NOW)).toMatchObject({ failingSince });
  });
});

describe('nextHealth: deliveries', () => {
  it('sets lastDeliveryAt on the first success', () => {
    expect(nextHealth(subscription(), delivered(), NOW)).toMatchObject({
      lastDeliveryAt: iso(NOW),
      version: 5,
    });
  });

  it('clears the failing run on a success, and moves lastDeliveryAt', () => {
    const next = nextHealth(
      subscription({ failingSince: iso(ago(2 * DAY)), lastDeliveryAt: iso(ago(3 * DAY)) }),
      delivered(),
      NOW,
    );
    expect(next).not.toHaveProperty('failingSince');
    expect(next).toMatchObject({ status: 'active', lastDeliveryAt: iso(NOW), version: 5 });
  });

  it('writes nothing for a success within the hour of the last one', () => {
    expect(LAST_DELIVERY_RESOLUTION_MS).toBe(3600 * 1000);
    const recent = subscription({ lastDeliveryAt: iso(ago(LAST_DELIVERY_RESOLUTION_MS - 1000)) });
    expect(nextHealth(recent, delivered(), NOW)).toBeUndefined();
  });

  it('moves lastDeliveryAt once the last one is an hour old', () => {
    const older = subscription({ lastDeliveryAt: iso(ago(LAST_DELIVERY_RESOLUTION_MS)) });
    expect(nextHealth(older, delivered(), NOW)).toMatchObject({ lastDeliveryAt: iso(NOW) });
  });

  it('does not let a delivery from before the failing run end it', () => {
    const failing = subscription({ failingSince: iso(ago(60_000)), lastDeliveryAt: iso(ago(DAY)) });
    const next = nextHealth(failing, delivered(ago(120_000)), NOW);
    expect(next).toMatchObject({ failingSince: iso(ago(60_000)), lastDeliveryAt: iso(ago(120_000)) });
  });

  it('never moves lastDeliveryAt back', () => {
    const failing = subscription({ failingSince: iso(ago(3 * DAY)), lastDeliveryAt: iso(ago(60_000)) });
    const next = nextHealth(failing, delivered(ago(2 * DAY)), NOW);
    expect(next).not.toHaveProperty('failingSince');
    expect(next?.lastDeliveryAt).toBe(iso(ago(60_000)));
  });
});

describe('nextHealth: states not tracked', () => {
  it('leaves disabled and unsubscribed subscriptions alone', () => {
    for (const status of ['disabled', 'unsubscribed'] as const) {
      const stopped = subscription({ status, failingSince: iso(ago(6 * DAY)) });
      for (const signal of [refused('gone'), failed(), delivered()])
        expect(nextHealth(stopped, signal, NOW)).toBeUndefined();
    }
  });

  it('tracks no failures or deliveries of a pending subscription', () => {
    expect(nextHealth(email({ status: 'pending' }), failed(), NOW)).toBeUndefined();
    expect(nextHealth(email({ status: 'pending' }), delivered(), NOW)).toBeUndefined();
  });
});

describe('healthSignalOf (a send attempt on either channel)', () => {
  const outcome = (fields: Partial<SendOutcome>): SendOutcome => ({
    ok: false,
    gone: false,
    latencyMs: 12,
    ...fields,
  });

  it('reads a webhook 2xx or an accepted mail as delivered now', () => {
    expect(healthSignalOf(outcome({ ok: true, status: 204 }), NOW)).toEqual({ kind: 'delivered', at: NOW });
    expect(healthSignalOf(outcome({ ok: true }), NOW)).toEqual({ kind: 'delivered', at: NOW });
  });

  it('waits for SES events when SES only accepted the mail', () => {
    expect(healthSignalOf(outcome({ ok: true, confirmedByEvents: true }), NOW)).toBeUndefined();
  });

  it('reads a webhook 410 as refused', () => {
    expect(healthSignalOf(outcome({ gone: true, status: 410 }), NOW)).toEqual({
      kind: 'refused',
      reason: 'the receiver answered 410 Gone',
      detail: 'HTTP 410',
    });
  });

  it('reads an SMTP refusal of the address as refused, with its words', () => {
    const signal = healthSignalOf(
      outcome({ gone: true, refusal: 'the address bounced permanently: 550 5.1.1 user unknown' }),
      NOW,
    );
    expect(signal).toMatchObject({
      kind: 'refused',
      reason: 'the address bounced permanently: 550 5.1.1 user unknown',
    });
  });

  it('reads a webhook 5xx, a timeout or an SMTP 4xx as a failure', () => {
    expect(healthSignalOf(outcome({ status: 503 }), NOW)).toEqual({
      kind: 'failed',
      at: NOW,
      detail: 'HTTP 503',
    });
    expect(healthSignalOf(outcome({ error: 'timeout' }), NOW)).toMatchObject({ kind: 'failed' });
    expect(healthSignalOf(outcome({ error: 'mail: 452 4.2.2 mailbox full' }), NOW)).toMatchObject({
      kind: 'failed',
    });
  });

  it('says nothing about the receiver for throttling or a failure on our side', () => {
    expect(healthSignalOf(outcome({ throttled: true }), NOW)).toBeUndefined();
    expect(healthSignalOf(outcome({ ours: true, error: 'MessageRejected' }), NOW)).toBeUndefined();
  });
});
