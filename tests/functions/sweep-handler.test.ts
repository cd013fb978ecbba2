import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSweepHandler } from '../../shared/aws/sweep-handler.ts';
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
