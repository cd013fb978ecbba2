/**
 * A webhook receiver answering 429 Too Many Requests is asking us to slow down: the attempt is
 * logged and the delivery waits what Retry-After asks (else 30–60 s), using up no step of the
 * retry schedule and leaving the subscription's health alone. A receiver that answers 429 for
 * ever cannot hold a delivery for ever: past MAX_WEBHOOK_THROTTLES its 429s are failed attempts
 * and the schedule runs out as for any failure. Against a real HTTP server on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attemptDelivery, MAX_WEBHOOK_THROTTLES } from '../../shared/alerts/deliver.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { DeliveryRef } from '../../shared/store/delivery-repository.ts';
import { type AlertStack, alertEventInput, bearer, json, startAlertStack } from '../support/alert-stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: AlertStack;
let receiver: WebhookReceiver;
let writerKey: string;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([
    startAlertStack({ retrySchedule: [0, 60, 60] }),
    startWebhookReceiver('backpressure'),
  ]);
  writerKey = await stack.keyWith(['subscriptions:write']);
});
afterEach(() => receiver.answer(200));
afterAll(async () => {
  await Promise.all([stack?.close(), receiver?.close()]);
});

let tagCounter = 0;

/** A webhook subscription to the receiver on a tag of its own, and one delivery due to it. */
async function pendingDelivery(): Promise<{ ref: DeliveryRef; subscriptionId: string }> {
  const tag = `slow-down-${++tagCounter}`;
  const created = await stack.app.request(
    '/v1/subscriptions',
    json(
      'POST',
      { channel: 'webhook', url: `${receiver.url}?tag=${tag}`, filter: { tags: [tag] } },
      bearer(writerKey),
    ),
  );
  expect(created.status).toBe(201);
  const { id: subscriptionId } = (await created.json()) as { id: string };
  const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
  await fanOutEvent(stack.fanout, event.id);
  const [delivery] = (await stack.deliveries.list(subscriptionId, 10)).deliveries;
  return { ref: { subscriptionId, deliveryId: delivery!.id }, subscriptionId };
}

const attempt = (ref: DeliveryRef) => attemptDelivery(stack.deliver, ref, { ignoreSchedule: true });

describe('a webhook receiver answering 429', () => {
  it('defers the delivery as long as Retry-After asks, without using the schedule or marking the subscription', async () => {
    const { ref, subscriptionId } = await pendingDelivery();
    receiver.answer({ status: 429, headers: { 'retry-after': '120' } });
    // More 429s than the three-step schedule allows failures.
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await attempt(ref));
    expect(outcomes).toEqual(Array.from({ length: 4 }, () => ({ kind: 'retry', delaySeconds: 120 })));

    const deferred = (await stack.deliveries.get(ref))!.delivery;
    expect(deferred).toMatchObject({ status: 'pending', scheduleStart: 4 });
    expect(deferred.attempts.map((logged) => logged.status)).toEqual([429, 429, 429, 429]);
    expect(Date.parse(deferred.nextAttemptAt!) - Date.parse(deferred.attempts[3]!.at)).toBe(120_000);
    const subscription = await stack.subscriptionRepository.get(subscriptionId);
    expect(subscription.status).toBe('active');
    expect(subscription.failingSince).toBeUndefined();

    receiver.answer(200);
    expect(await attempt(ref)).toEqual({ kind: 'done', status: 'delivered' });
    // One webhook-id across every attempt: the receiver can tell it is the same delivery.
    expect(
      new Set(receiver.withId(ref.deliveryId).map((request) => request.headers['webhook-id'])).size,
    ).toBe(1);
    expect(receiver.withId(ref.deliveryId)).toHaveLength(5);
  });

  it('waits 30–60 s when it gives no Retry-After', async () => {
    const { ref, subscriptionId } = await pendingDelivery();
    receiver.answer(429);
    const outcome = await attempt(ref);
    expect(outcome.kind).toBe('retry');
    if (outcome.kind === 'retry') {
      expect(outcome.delaySeconds).toBeGreaterThanOrEqual(30);
      expect(outcome.delaySeconds).toBeLessThanOrEqual(60);
    }
    expect((await stack.deliveries.get(ref))!.delivery.scheduleStart).toBe(1);
    expect((await stack.subscriptionRepository.get(subscriptionId)).failingSince).toBeUndefined();
  });

  it(`counts 429s as failed attempts after ${MAX_WEBHOOK_THROTTLES} in a row, so a receiver throttling for ever ends its deliveries dead`, async () => {
    const { ref, subscriptionId } = await pendingDelivery();
    receiver.answer({ status: 429, headers: { 'retry-after': '5' } });
    for (let i = 0; i < MAX_WEBHOOK_THROTTLES; i++) expect((await attempt(ref)).kind).toBe('retry');
    expect((await stack.deliveries.get(ref))!.delivery.scheduleStart).toBe(MAX_WEBHOOK_THROTTLES);
    expect((await stack.subscriptionRepository.get(subscriptionId)).failingSince).toBeUndefined();

    // Now each 429 uses a step of the three-step schedule (Retry-After still a floor), then it is dead.
    const failures = [await attempt(ref), await attempt(ref), await attempt(ref)];
    expect(failures.slice(0, 2).map((outcome) => outcome.kind)).toEqual(['retry', 'retry']);
    expect(failures[2]).toEqual({ kind: 'done', status: 'dead' });
    const dead = (await stack.deliveries.get(ref))!.delivery;
    expect(dead).toMatchObject({ status: 'dead', scheduleStart: MAX_WEBHOOK_THROTTLES });
    expect(dead.attempts).toHaveLength(MAX_WEBHOOK_THROTTLES + 3);
    expect((await stack.subscriptionRepository.get(subscriptionId)).failingSince).toBeDefined();
  });
});
