/**
 * The mail-events function against dynalite: an alert is sent the way the delivery function sends
 * it on AWS (SES accepts it; the message tags come from the channel code), then SES's event for
 * that message arrives as the queue hands it over — bare (raw SNS delivery, as the stack sets it
 * up), in the SNS envelope, or as an EventBridge detail — in AWS's documented shapes.
 */
import type { SQSEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptDelivery, type DeliverDeps } from '../../shared/alerts/deliver.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import { createMailEventsHandler } from '../../shared/aws/mail-events-handler.ts';
import type { MailToSend, MailTransport, SentMail } from '../../shared/delivery/email/transport.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { SubscriptionRepository } from '../../shared/store/subscription-repository.ts';
import {
  bounceRecord,
  complaintRecord,
  deliveryRecord,
  eventBridgeEvent,
  type SentMessage,
  snsEnvelope,
  sqsEvent,
} from '../fixtures/ses-events.ts';
import {
  type AlertStack,
  activeEmailSubscriber,
  alertEventInput,
  startAlertStack,
} from '../support/alert-stack.ts';

/** Takes mail as SES does: accepted now, its fate reported later by events. */
class SesLikeMail implements MailTransport {
  readonly sent: (MailToSend & { messageId: string })[] = [];
  async send(mail: MailToSend): Promise<SentMail> {
    const messageId = `0100019052a0f3b1-${ulid().toLowerCase()}-000000`;
    this.sent.push({ ...mail, messageId });
    return { messageId, confirmedByEvents: true };
  }
}

let stack: AlertStack;
let mail: SesLikeMail;
let deliver: DeliverDeps;
let handler: ReturnType<typeof createMailEventsHandler>;
let repository: SubscriptionRepository;

beforeAll(async () => {
  stack = await startAlertStack();
  mail = new SesLikeMail();
  deliver = { ...stack.deliver, mail };
  repository = new SubscriptionRepository(stack.table);
  handler = createMailEventsHandler({
    subscriptions: repository,
    logger: createLogger({ service: 'test', write: () => {} }),
  });
});
afterAll(async () => {
  await stack?.close();
});

/** Fans out a matching event and delivers it: the alert SES accepted, as SES events will name it. */
async function alertSent(subscription: Subscription, tag: string): Promise<SentMessage> {
  const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
  await fanOutEvent(stack.fanout, event.id);
  const deliveries = (await stack.deliveries.list(subscription.id, 50)).deliveries;
  const pending = deliveries.filter((delivery) => delivery.status === 'pending');
  for (const delivery of pending) {
    expect(
      await attemptDelivery(deliver, { subscriptionId: subscription.id, deliveryId: delivery.id }),
    ).toEqual({ kind: 'done', status: 'delivered' });
  }
  const sent = mail.sent.filter((message) => message.to === subscription.address).at(-1)!;
  return { messageId: sent.messageId, to: sent.to, tags: sent.tags ?? {} };
}

const stored = (id: string) => repository.get(id);
const newDeliveries = async (id: string) => (await stack.deliveries.list(id, 50)).deliveries.length;

describe('the mail-events function', () => {
  it('sends alerts with the subscription, delivery and kind of mail as message tags', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-tags');
    const sent = await alertSent(subscription, 'events-tags');
    const [delivery] = (await stack.deliveries.list(subscription.id, 1)).deliveries;
    expect(sent.tags).toEqual({ subscription: subscription.id, delivery: delivery!.id, mail: 'alert' });
    // SES only accepted it: no health change until its events arrive.
    expect((await stored(subscription.id)).lastDeliveryAt).toBeUndefined();
  });

  it('disables the subscription on a permanent bounce, and fan-out sends it nothing more', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-bounce');
    const sent = await alertSent(subscription, 'events-bounce');

    const result = await handler(sqsEvent([bounceRecord(sent)]) as SQSEvent);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await stored(subscription.id)).toMatchObject({
      status: 'disabled',
      statusReason: 'the address bounced permanently: 550 5.1.1 user unknown',
    });
    const before = await newDeliveries(subscription.id);
    const { event } = await stack.events.create(alertEventInput({ tags: ['events-bounce'] }));
    await fanOutEvent(stack.fanout, event.id);
    expect(await newDeliveries(subscription.id)).toBe(before);
  });

  it('disables the subscription on a complaint (SNS envelope)', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-complaint');
    const sent = await alertSent(subscription, 'events-complaint');

    await handler(sqsEvent([snsEnvelope(complaintRecord(sent))]) as SQSEvent);

    expect(await stored(subscription.id)).toMatchObject({
      status: 'disabled',
      statusReason: 'the recipient marked an alert as spam',
    });
  });

  it('sets lastDeliveryAt from a delivery event (EventBridge detail)', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-delivery');
    const sent = await alertSent(subscription, 'events-delivery');

    await handler(sqsEvent([eventBridgeEvent(deliveryRecord(sent, '2030-01-01T10:00:00.000Z'))]) as SQSEvent);

    expect(await stored(subscription.id)).toMatchObject({
      status: 'active',
      lastDeliveryAt: '2030-01-01T10:00:00.000Z',
    });
  });

  it('counts a transient bounce as a failure: failing, still active', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-transient');
    const sent = await alertSent(subscription, 'events-transient');

    await handler(
      sqsEvent([
        bounceRecord(sent, {
          bounceType: 'Transient',
          bounceSubType: 'MailboxFull',
          timestamp: '2030-01-01T10:00:00.000Z',
        }),
      ]) as SQSEvent,
    );

    expect(await stored(subscription.id)).toMatchObject({
      status: 'active',
      failingSince: '2030-01-01T10:00:00.000Z',
    });
  });

  it('leaves the subscription alone when the event is about another address', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-other');
    const sent = await alertSent(subscription, 'events-other');
    const before = await stored(subscription.id);

    const result = await handler(
      sqsEvent([bounceRecord({ ...sent, to: 'someone@example.org' })]) as SQSEvent,
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await stored(subscription.id)).toEqual(before);
  });

  it("ignores events of mail that is no subscriber's, and of subscriptions that no longer exist", async () => {
    const untagged = { messageId: 'x-000000', to: 'owner@example.org', tags: {} };
    const unknown = { messageId: 'y-000000', to: 'ghost@example.org', tags: { subscription: ulid() } };
    const result = await handler(sqsEvent([bounceRecord(untagged), complaintRecord(unknown)]) as SQSEvent);
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('leaves an unsubscribed subscription unsubscribed', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-gone');
    const sent = await alertSent(subscription, 'events-gone');
    await stack.service.unsubscribe(subscription.id);

    await handler(sqsEvent([complaintRecord(sent)]) as SQSEvent);

    expect(await stored(subscription.id)).toMatchObject({ status: 'unsubscribed' });
  });

  it('reports an unreadable message (for SQS to dead-letter) and handles the rest of the batch', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-batch');
    const sent = await alertSent(subscription, 'events-batch');
    const event = sqsEvent(['{"not": "an SES event"}', bounceRecord(sent)]) as SQSEvent;

    const result = await handler(event);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
    expect((await stored(subscription.id)).status).toBe('disabled');
  });

  it('applies two events of one subscription in one batch in order', async () => {
    const subscription = await activeEmailSubscriber(stack, 'events-two');
    const sent = await alertSent(subscription, 'events-two');

    await handler(
      sqsEvent([deliveryRecord(sent, '2030-01-01T10:00:00.000Z'), complaintRecord(sent)]) as SQSEvent,
    );

    expect(await stored(subscription.id)).toMatchObject({
      status: 'disabled',
      lastDeliveryAt: '2030-01-01T10:00:00.000Z',
      statusReason: 'the recipient marked an alert as spam',
    });
  });
});
