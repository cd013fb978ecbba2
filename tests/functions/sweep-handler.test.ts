import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSweepHandler } from '../../shared/aws/sweep-handler.ts';
import { DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import { type AlertStack, alertEventInput, awsAlertsFor, startAlertStack } from '../support/alert-stack.ts';

const sqsMock = mockClient(SQSClient);
let stack: AlertStack;

beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

const minutesFromNow = (minutes: number) => () => new Date(Date.now() + minutes * 60_000);

/** Delivery ids the sweeper put on the queue. */
function enqueuedIds(): string[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => (JSON.parse(entry.MessageBody ?? '{}') as { deliveryId: string }).deliveryId);
}

describe('sweep handler', () => {
  it('leaves a change younger than the grace period to the stream', async () => {
    const tag = 'sweep-fresh';
    await stack.service.subscribeWebhook({
      url: 'https://hooks.example.org/a',
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created'],
    });
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
    const sweep = createSweepHandler(awsAlertsFor(stack, new SQSClient({})), minutesFromNow(1));

    const result = await sweep();

    expect(result.events).toBe(0);
    expect((await stack.eventRepository.getItem(event.id))?.feedPk).toMatch(/^FEED#\d+$/);
  });

  it('announces a change the stream missed and clears its marker', async () => {
    const tag = 'sweep-missed';
    const { subscription } = await stack.service.subscribeWebhook({
      url: 'https://hooks.example.org/b',
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created'],
    });
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
    const sweep = createSweepHandler(awsAlertsFor(stack, new SQSClient({})), minutesFromNow(11));

    const result = await sweep();

    expect(result.events).toBeGreaterThanOrEqual(1);
    const { deliveries } = await stack.deliveries.list(subscription.id, 10);
    expect(deliveries.map((d) => d.eventId)).toContain(event.id);
    expect(enqueuedIds()).toContain(deliveries[0]!.id);
    expect((await stack.eventRepository.getItem(event.id))?.feedPk).toBeUndefined();
  });

  it('puts an overdue delivery on the queue again', async () => {
    const tag = 'sweep-overdue';
    const { subscription } = await stack.service.subscribeWebhook({
      url: 'https://hooks.example.org/c',
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created'],
    });
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
    await createSweepHandler(awsAlertsFor(stack, new SQSClient({})), minutesFromNow(11))();
    const [delivery] = (await stack.deliveries.list(subscription.id, 10)).deliveries;
    expect(delivery?.eventId).toBe(event.id);
    sqsMock.resetHistory();

    // Nobody attempted it (its message was lost); twenty minutes on, the sweeper sends it again.
    const result = await createSweepHandler(awsAlertsFor(stack, new SQSClient({})), minutesFromNow(21))();

    expect(result.requeued).toBeGreaterThanOrEqual(1);
    expect(enqueuedIds()).toContain(delivery!.id);
  });
});

describe('sweep handler at scale', () => {
  it('parks an event whose fan-out fails and goes on with the others', async () => {
    const tag = 'sweep-poison';
    await stack.service.subscribeWebhook({
      url: 'https://hooks.example.org/d',
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created'],
    });
    const { event: poison } = await stack.events.create(alertEventInput({ tags: [tag, 'poison'] }));
    const { event: healthy } = await stack.events.create(alertEventInput({ tags: [tag] }));
    const alerts = awsAlertsFor(stack, new SQSClient({}));
    // A fault injected into one event's fan-out: its index lookup fails.
    const repository = alerts.fanout.subscriptions;
    const faulty = Object.create(repository) as typeof repository;
    faulty.probePartitions = async (...states) => {
      if (states.some((state) => state.tags.includes('poison'))) throw new Error('index unavailable');
      return repository.probePartitions(...states);
    };
    const clock = minutesFromNow(11);
    const sweep = createSweepHandler(
      { ...alerts, fanout: { ...alerts.fanout, subscriptions: faulty } },
      clock,
    );

    const result = await sweep();

    expect(result.parked).toBe(1);
    expect((await stack.eventRepository.getItem(healthy.id))?.feedPk).toBeUndefined();
    const parked = await stack.eventRepository.getItem(poison.id);
    expect(parked?.feedPk).toBeDefined();
    // Parked an hour past the sweep's own clock: the next sweeps take the others first.
    expect(Date.parse(parked!.feedSk!.split('#')[0]!)).toBeGreaterThan(clock().getTime() + 59 * 60_000);
    const again = await createSweepHandler(alerts, minutesFromNow(12))();
    expect(again.parked).toBe(0);
    expect((await stack.eventRepository.getItem(poison.id))?.feedPk).toBeDefined();
  });

  it('re-drives more than 10,000 overdue deliveries in one run, from every due shard', async () => {
    const big = await startAlertStack();
    try {
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const deliveries = Array.from({ length: 12_000 }, (_, i) => ({
        id: `01J0000000000000000000${String(i).padStart(5, '0')}`.slice(-26),
        subscriptionId: `01J1SUB${String(i % 40).padStart(19, '0')}`,
        channel: 'webhook' as const,
        kind: 'event.created' as const,
        eventId: '01J2EVENT00000000000000000',
        body: '{}',
        status: 'pending' as const,
        attempts: [],
        scheduleStart: 0,
        createdAt: at,
        updatedAt: at,
      }));
      // Written the way the local runtime writes in bulk (batched); due an hour ago.
      await new DeliveryRepository(big.table, { singleWriter: true }).recordAll(deliveries, at);
      sqsMock.resetHistory();

      const result = await createSweepHandler(awsAlertsFor(big, new SQSClient({})), minutesFromNow(0))();

      expect(result.requeued).toBe(12_000);
      expect(new Set(enqueuedIds())).toEqual(new Set(deliveries.map((delivery) => delivery.id)));
    } finally {
      await big.close();
    }
  });
});
