import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliverDeps } from '../../shared/alerts/deliver.ts';
import { type DeliveryQueue, type FanoutDeps, fanOutChange } from '../../shared/alerts/fanout.ts';
import { type Delivery, deliveryIdFor } from '../../shared/domain/delivery.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { createDeliveryWorker } from '../../shared/local/delivery-worker.ts';
import { type DeliveryRef, DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import type { PendingChange } from '../../shared/store/event-repository.ts';
import { deliveryKey } from '../../shared/store/keys.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The local runtime's delivery path: one process writes every delivery record, so fan-out records
 * in batches (after one read of which exist) and the worker stores a round's attempts in batches.
 */
let stack: AlertStack;
let ok: WebhookReceiver;
let failing: WebhookReceiver;

beforeAll(async () => {
  [stack, ok, failing] = await Promise.all([
    startAlertStack({ retrySchedule: [0, 60, 60] }),
    startWebhookReceiver('ok'),
    startWebhookReceiver('failing'),
  ]);
  failing.answer(500);
});
afterAll(async () => {
  await Promise.all([stack?.close(), ok?.close(), failing?.close()]);
});

let tagCounter = 0;

/** A local pipeline over the stack's table: single-writer records, the worker, and a queue handing over to it. */
function localPipeline(options: { beforeHandOver?: () => Promise<void> } = {}) {
  const deliveries = new DeliveryRepository(stack.table, { singleWriter: true });
  const deliver: DeliverDeps = { ...stack.deliver, deliveries };
  const worker = createDeliveryWorker(deliver);
  const queue: DeliveryQueue = {
    async enqueue(_refs, fresh) {
      await options.beforeHandOver?.();
      if (fresh?.length) worker.handOver(fresh);
    },
    reserve: (ids) => worker.reserve(ids),
  };
  const fanout: FanoutDeps = { ...stack.fanout, deliveries, queue };
  return { deliveries, worker, fanout };
}

/** Webhook subscriptions on a fresh tag (one per URL) and a created event carrying it. */
async function eventFor(
  ...urls: string[]
): Promise<{ event: TimelineEvent; change: PendingChange; refs: DeliveryRef[] }> {
  const tag = `local-batch-${++tagCounter}`;
  const subscriptions: string[] = [];
  for (const url of urls) {
    const { subscription } = await stack.service.subscribeWebhook({
      url,
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created'],
    });
    subscriptions.push(subscription.id);
  }
  const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
  const item = (await stack.eventRepository.getItem(event.id))!;
  const change = Object.values(item.changes)[0]!;
  const refs = subscriptions.map((subscriptionId) => ({
    subscriptionId,
    deliveryId: deliveryIdFor(subscriptionId, event.id, change.version, change.at),
  }));
  return { event, change, refs };
}

const itemOf = async (delivery: Pick<Delivery, 'id' | 'subscriptionId'>) =>
  (
    await stack.table.client.send(
      new GetCommand({
        TableName: stack.table.name,
        Key: deliveryKey(delivery.subscriptionId, delivery.id),
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('local fan-out with a single-writer repository', () => {
  it('records each delivery once; a replayed change records nothing and keeps the same ids', async () => {
    const { fanout } = localPipeline();
    const { event, change } = await eventFor(`${ok.url}?a`, `${ok.url}?b`);

    const first = await fanOutChange(fanout, event, change);
    const replay = await fanOutChange(fanout, event, change);

    expect(first.recorded).toBe(2);
    expect(replay.recorded).toBe(0);
  });
});

describe('the local delivery worker', () => {
  it('attempts a delivery once when the due index lists it before its hand-over', async () => {
    let worker: ReturnType<typeof createDeliveryWorker> | undefined;
    // The worker reads the index after the records are written and before they are handed over.
    const pipeline = localPipeline({ beforeHandOver: async () => void (await worker!.deliverDue()) });
    worker = pipeline.worker;
    const { event, change } = await eventFor(`${ok.url}?race`);

    await fanOutChange(pipeline.fanout, event, change);
    await worker.deliverDue();
    await worker.deliverDue();

    const requests = ok.received.filter((request) => request.body.includes(event.id));
    expect(requests).toHaveLength(1);
  });

  it('stores a round of attempts as the conditional write would: retries stay due, settled ones leave the index', async () => {
    const { fanout, worker, deliveries } = localPipeline();
    const {
      event,
      change,
      refs: [settledRef, retriedRef],
    } = await eventFor(`${ok.url}?settled`, `${failing.url}?retried`);
    await fanOutChange(fanout, event, change);

    await worker.deliverDue();

    const retried = await deliveries.get(retriedRef!);
    expect(retried).toMatchObject({
      attemptCount: 1,
      delivery: { status: 'pending', attempts: [{ status: 500 }] },
    });
    expect(Date.parse(retried!.delivery.nextAttemptAt!)).toBeGreaterThan(Date.now() + 30_000);
    const due = await deliveries.due(new Date(Date.now() + 3_600_000), 1000);
    expect(due.map((ref) => ref.deliveryId)).toContain(retriedRef!.deliveryId);
    expect((await itemOf(retried!.delivery))?.expiresAt).toBeUndefined();

    const settled = await deliveries.get(settledRef!);
    expect(settled).toMatchObject({
      attemptCount: 1,
      delivery: { status: 'delivered', attempts: [{ status: 200 }] },
    });
    expect(settled!.delivery.nextAttemptAt).toBeUndefined();
    expect(due.map((ref) => ref.deliveryId)).not.toContain(settledRef!.deliveryId);
    const settledItem = await itemOf(settled!.delivery);
    expect(settledItem?.duePk).toBeUndefined();
    expect(settledItem?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    expect(ok.withId(settledRef!.deliveryId)).toHaveLength(1);
  });
});
