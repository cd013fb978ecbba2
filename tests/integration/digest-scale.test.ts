import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DigestUnit, runDigests } from '../../shared/alerts/digest-run.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import { digestDeliveryId, periodOf } from '../../shared/domain/digest.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { mapLimit } from '../../shared/platform/concurrency.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

const AUDIENCE = 2_000;
const PAGE_SIZE = 50;
const PER_INVOCATION = 250;
const TAG = 'digest-scale';

let stack: AlertStack;
let subscriptions: Subscription[];

beforeAll(async () => {
  stack = await startAlertStack();
  const at = '2024-06-01T00:00:00.000Z';
  subscriptions = Array.from({ length: AUDIENCE }, (_, i) => ({
    id: `01J0000000DIGEST${String(i).padStart(10, '0')}`,
    channel: 'webhook' as const,
    url: 'https://hooks.example.org/digest',
    filter: { kinds: [], actors: [], tags: [TAG] },
    types: ['event.created' as const],
    frequency: 'daily' as const,
    digestHour: 7,
    status: 'active' as const,
    secrets: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  }));
  await mapLimit(subscriptions, 200, (subscription) => stack.subscriptionRepository.create(subscription));
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

describe('a digest run for a large audience', () => {
  it(`sends ${AUDIENCE} digests, at most ${PER_INVOCATION} periods an invocation, finishing through continuations`, async () => {
    const events = new EventService({
      table: stack.table,
      events: stack.eventRepository,
      idempotency: new IdempotencyStore(stack.table),
      clock: () => new Date('2024-06-27T08:00:00Z'),
    });
    const { event } = await events.create(alertEventInput({ tags: [TAG] }));
    const fanned = await fanOutEvent(stack.fanout, event.id, { pageSize: PAGE_SIZE });
    // Digest subscribers get entries, not deliveries.
    expect(fanned.deliveries).toBe(0);
    expect(stack.queue.refs).toEqual([]);

    const deps = {
      table: stack.table,
      subscriptions: stack.subscriptionRepository,
      deliveries: stack.deliveries,
      queue: stack.queue,
      logger: createLogger({ service: 'test', write: () => {} }),
    };
    const now = new Date('2024-06-28T07:00:00Z');
    const invocations: number[] = [];
    let units: DigestUnit[] | undefined;
    do {
      const run = await runDigests(deps, {
        now,
        pageSize: PAGE_SIZE,
        maxPeriods: PER_INVOCATION,
        ...(units ? { units } : {}),
      });
      invocations.push(run.periods);
      units = run.remaining.length > 0 ? run.remaining : undefined;
      if (invocations.length > 50) throw new Error('the digest run does not finish');
    } while (units);

    expect(Math.max(...invocations)).toBeLessThanOrEqual(PER_INVOCATION);
    expect(invocations.length).toBeGreaterThanOrEqual(AUDIENCE / PER_INVOCATION);
    expect(invocations.reduce((sum, n) => sum + n, 0)).toBe(AUDIENCE);
    const period = periodOf('2024-06-27T08:00:00Z', { frequency: 'daily', hour: 7 });
    const enqueued = new Set(stack.queue.refs.map((ref) => ref.deliveryId));
    expect(enqueued.size).toBe(AUDIENCE);
    for (const subscription of subscriptions)
      expect(enqueued.has(digestDeliveryId(subscription.id, period))).toBe(true);

    // The schedule run again for the same hour finds nothing left to send.
    const again = await runDigests(deps, { now, pageSize: PAGE_SIZE });
    expect(again.periods).toBe(0);
    expect(new Set(stack.queue.refs.map((ref) => ref.deliveryId)).size).toBe(AUDIENCE);
  }, 240_000);
});
