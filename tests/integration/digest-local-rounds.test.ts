import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestDeliveryId, periodOf } from '../../shared/domain/digest.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { digestRound } from '../../shared/local/local-alerts.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

const silent = createLogger({ service: 'test', write: () => {} });
let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('the local runtime digest timer', () => {
  it('sends the ended periods in bounded rounds, each going on from where the last stopped', async () => {
    const subscriptions = [];
    for (let i = 0; i < 7; i++)
      subscriptions.push(
        (
          await stack.service.subscribeWebhook({
            url: 'https://hooks.example.org/local-digest',
            filter: { kinds: [], actors: [], tags: ['local-digest'] },
            types: ['event.created'],
            frequency: 'daily',
          })
        ).subscription,
      );
    const events = new EventService({
      table: stack.table,
      events: stack.eventRepository,
      idempotency: new IdempotencyStore(stack.table),
      clock: () => new Date('2024-06-27T08:00:00Z'),
    });
    await events.create(alertEventInput({ tags: ['local-digest'] }));
    await stack.settle();
    const round = digestRound(
      {
        table: stack.table,
        subscriptions: stack.subscriptionRepository,
        deliveries: stack.deliveries,
        queue: stack.queue,
        logger: silent,
      },
      { maxPeriods: 3, clock: () => new Date('2024-06-28T07:00:00Z') },
    );

    const progressed: boolean[] = [];
    for (let i = 0; i < 5 && progressed.at(-1) !== false; i++) progressed.push(await round());

    // 7 periods, at most 3 a round: two rounds stop short, the third finishes.
    expect(progressed).toEqual([true, true, false]);
    const period = periodOf('2024-06-27T08:00:00Z', { frequency: 'daily', hour: 7 });
    const enqueued = new Set(stack.queue.refs.map((ref) => ref.deliveryId));
    for (const subscription of subscriptions)
      expect(enqueued.has(digestDeliveryId(subscription.id, period))).toBe(true);
  });
});
