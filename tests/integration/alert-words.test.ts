/**
 * A webhook alert carries the event in words beside the event itself (`data.readable`), in the
 * body it is signed over, and everything it carried before: receivers that show alerts to people
 * need not name countries or read EDTF themselves.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptDelivery } from '../../shared/alerts/deliver.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { AlertPayload } from '../../shared/domain/delivery.ts';
import { organisation, state } from '../fixtures/events.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let stack: AlertStack;
let receiver: WebhookReceiver;
beforeAll(async () => {
  [stack, receiver] = await Promise.all([startAlertStack(), startWebhookReceiver('words')]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), receiver?.close()]);
});

/** Subscribes a webhook to `tag`, writes the event, fans it out and delivers: the request received and its payload. */
async function webhookFor(tag: string, date: string) {
  const { subscription, secret } = await stack.service.subscribeWebhook({
    url: `${receiver.url}/${tag}`,
    filter: { kinds: [], actors: [], tags: [tag] },
    types: ['event.created'],
  });
  const { event } = await stack.events.create(
    alertEventInput({
      tags: [tag],
      date,
      actors: [
        state('RU', 'launcher'),
        state('KP', 'supplier'),
        organisation('UN Panel of Experts', 'monitor'),
      ],
    }),
  );
  await fanOutEvent(stack.fanout, event.id);
  const [delivery] = (await stack.deliveries.list(subscription.id, 10)).deliveries;
  await attemptDelivery(stack.deliver, { subscriptionId: subscription.id, deliveryId: delivery!.id });
  const [request] = receiver.withId(delivery!.id);
  return { event, secret, request: request!, payload: JSON.parse(request!.body) as AlertPayload };
}

describe('a webhook alert in words', () => {
  it('names the countries with their codes, the actors with their roles, the kind in words', async () => {
    const { payload } = await webhookFor('words-actors', '2024-06-15~');
    expect(payload.data.readable).toMatchObject({
      kind: 'Missile launch',
      location: 'Kharkiv, Ukraine (UA)',
      actors: [
        'Russia (RU), launcher',
        'North Korea (KP), supplier',
        'UN Panel of Experts (organisation), monitor',
      ],
    });
  });

  it('says the date and how precisely it is known once: no caveat in the reading, all in the precision', async () => {
    const { payload } = await webhookFor('words-date', '2024-06-15~');
    expect(payload.data.readable).toMatchObject({ date: 'mid-June 2024', precision: 'an approximate day' });
  });

  it('says an ongoing interval is ongoing', async () => {
    const { payload } = await webhookFor('words-ongoing', '2022-02-24/..');
    expect(payload.data.readable).toMatchObject({
      date: 'since 24 February 2022, ongoing',
      precision: 'from a day, open-ended',
    });
  });

  it('keeps the event as it was, with every field, and verifies with the subscription secret', async () => {
    const { event, secret, request, payload } = await webhookFor('words-compatible', '2024-06-15~');
    expect(payload.type).toBe('event.created');
    expect(payload.data.event).toEqual(JSON.parse(JSON.stringify(event)));
    expect(() => new Webhook(secret).verify(request.body, signatureHeaders(request))).not.toThrow();
  });
});
