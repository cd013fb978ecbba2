/**
 * A change's alert payload is stored once (its message item) and every delivery refers to it: the
 * delivery records stay small, and the delivery log and the sent webhook still carry exactly the
 * payload. A health mark on a subscription rewrites no index item.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptDelivery } from '../../shared/alerts/deliver.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import { deliveryKey, messageKey } from '../../shared/store/keys.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: AlertStack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  [stack, receiver] = await Promise.all([startAlertStack(), startWebhookReceiver('messages')]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), receiver?.close()]);
});

const item = async (key: Record<string, string>) =>
  (await stack.table.client.send(new GetCommand({ TableName: stack.table.name, Key: key }))).Item;

/** Bytes of an item as DynamoDB sizes it, near enough: names and values as UTF-8. */
const approximateSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('the payload of a change', () => {
  it('is stored once, and each delivery record refers to it and stays under 1 KB', async () => {
    const tag = 'payload-once';
    const subscriptions = await Promise.all(
      [1, 2, 3].map((i) =>
        stack.service.subscribeWebhook({
          url: `${receiver.url}/${i}`,
          filter: { kinds: [], actors: [], tags: [tag] },
          types: ['event.created'],
        }),
      ),
    );
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));

    await fanOutEvent(stack.fanout, event.id);

    const message = await item(messageKey(event.id, `v${event.version}`));
    expect(message?.type).toBe('message');
    const payload = JSON.parse(message!.body as string) as { type: string; data: { event: { id: string } } };
    expect(payload).toMatchObject({ type: 'event.created', data: { event: { id: event.id } } });
    for (const { subscription } of subscriptions) {
      const [delivery] = (await stack.deliveries.list(subscription.id, 10)).deliveries;
      const stored = await item(deliveryKey(subscription.id, delivery!.id));
      expect(stored?.delivery).not.toHaveProperty('body');
      expect(stored?.delivery.message).toEqual({ eventId: event.id, change: `v${event.version}` });
      expect(approximateSize(stored)).toBeLessThan(1024);
      // The delivery log shows exactly the payload…
      expect(delivery!.body).toBe(message!.body);
      // …and so does the webhook that goes out.
      await attemptDelivery(stack.deliver, { subscriptionId: subscription.id, deliveryId: delivery!.id });
      const [hook] = receiver.withId(delivery!.id);
      expect(hook?.body).toBe(message!.body);
    }
  });
});

describe('a subscription whose health changes', () => {
  it('is saved without rewriting its index items or the shapes item', async () => {
    const { subscription } = await stack.service.subscribeWebhook({
      url: `${receiver.url}/health`,
      filter: { kinds: ['statement'], actors: ['KP'], tags: [] },
      types: ['event.created'],
    });
    const writes: string[] = [];
    const counter = stack.table.client.middlewareStack;
    counter.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { pk?: string }; Key?: { pk?: string } };
        writes.push(`${context.commandName} ${input.Item?.pk ?? input.Key?.pk ?? ''}`);
        return next(args);
      },
      { step: 'initialize', name: 'writeCounter' },
    );
    try {
      const marked = {
        ...subscription,
        failingSince: new Date().toISOString(),
        version: subscription.version + 1,
      };
      await stack.subscriptionRepository.save(subscription, marked);
    } finally {
      counter.remove('writeCounter');
    }

    expect(writes).toEqual([`PutItemCommand SUB#${subscription.id}`]);
  });
});
