import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { AwsAlerts } from '../../shared/aws/alerts-runtime.ts';
import { createDeliverHandler } from '../../shared/aws/deliver-handler.ts';
import type { DeliveryRef } from '../../shared/store/delivery-repository.ts';
import {
  type AlertStack,
  alertEventInput,
  awsAlertsFor,
  QUEUE_URL,
  startAlertStack,
} from '../support/alert-stack.ts';
import { signatureHeaders, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const fixture = (name: string): SQSEvent =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as SQSEvent;

const sqsMock = mockClient(SQSClient);
let stack: AlertStack;
let receiver: WebhookReceiver;
let alerts: AwsAlerts;
let handler: ReturnType<typeof createDeliverHandler>;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startAlertStack(), startWebhookReceiver('sqs')]);
});
beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: (input.Entries ?? []).map((entry) => ({
      Id: entry.Id,
      MessageId: randomUUID(),
      MD5OfMessageBody: '',
    })),
    Failed: [],
  }));
  sqsMock.on(SendMessageCommand).resolves({ MessageId: randomUUID() });
  alerts = awsAlertsFor(stack, new SQSClient({ region: 'eu-west-1' }));
  handler = createDeliverHandler(alerts);
  receiver.answer(200);
});
afterAll(async () => {
  await Promise.all([stack?.close(), receiver?.close()]);
});

let tagCounter = 0;

/** The SQS record the delivery function receives for a message fan-out sent, shaped like the fixture. */
function sqsRecord(body: string): SQSRecord {
  const [template] = fixture('sqs-delivery-message.json').Records;
  const messageId = randomUUID();
  return { ...template!, messageId, receiptHandle: `AQEB${messageId}`, body };
}

/** A webhook subscription to the receiver and one event for it, fanned out: the message fan-out sent. */
async function deliveryMessage(
  url = receiver.url,
): Promise<{ record: SQSRecord; ref: DeliveryRef; secret: string }> {
  const tag = `sqs-${++tagCounter}`;
  const { subscription, secret } = await alerts.subscriptions.subscribeWebhook({
    url: `${url}?tag=${tag}`,
    filter: { kinds: [], actors: [], tags: [tag] },
    types: ['event.created'],
  });
  const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
  await fanOutEvent(alerts.fanout, event.id);
  const [entry] = sqsMock.commandCalls(SendMessageBatchCommand).at(-1)!.args[0].input.Entries!;
  const ref = JSON.parse(entry!.MessageBody!) as DeliveryRef;
  expect(ref.subscriptionId).toBe(subscription.id);
  return { record: sqsRecord(entry!.MessageBody!), ref, secret };
}

const deliveryOf = async (ref: DeliveryRef) => (await stack.deliveries.get(ref))!.delivery;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
/** The delays of the retry messages the handler put on the queue. */
const delays = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds);

describe('the delivery function', () => {
  it('delivers a signed webhook and reports no failure', async () => {
    const { record, ref, secret } = await deliveryMessage();

    const result = await handler(batch(record));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await deliveryOf(ref)).toMatchObject({ status: 'delivered', attempts: [{ status: 200 }] });
    const [received] = receiver.withId(ref.deliveryId);
    expect(new Webhook(secret).verify(received!.body, signatureHeaders(received!))).toMatchObject({
      type: 'event.created',
    });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('puts a failed delivery back on the queue as a new message delayed by the backoff', async () => {
    const { record, ref } = await deliveryMessage();
    receiver.answer(500);

    const result = await handler(batch(record));

    // The message is done with; nothing waits in flight for the retry.
    expect(result).toEqual({ batchItemFailures: [] });
    // The short test schedule [0, 1, 1] waits one second after the first failure.
    expect(sqsMock).toHaveReceivedCommandExactlyOnceWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: JSON.stringify(ref),
      DelaySeconds: 1,
    });
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityCommand);
    expect(await deliveryOf(ref)).toMatchObject({ status: 'pending', attempts: [{ status: 500 }] });
  });

  it("waits as long as the receiver's Retry-After asks", async () => {
    const { record } = await deliveryMessage();
    receiver.answer({ status: 503, headers: { 'retry-after': '120' } });

    await handler(batch(record));

    expect(delays()).toEqual([120]);
  });

  it('leaves a retry due after more than 15 minutes to the due index (the sweeper re-drives it)', async () => {
    const { record, ref } = await deliveryMessage();
    receiver.answer({ status: 503, headers: { 'retry-after': '3600' } });

    const result = await handler(batch(record));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    const dueIn = (seconds: number) => stack.deliveries.due(new Date(Date.now() + seconds * 1000), 1000);
    expect((await dueIn(60)).map((due) => due.deliveryId)).not.toContain(ref.deliveryId);
    expect((await dueIn(3700)).map((due) => due.deliveryId)).toContain(ref.deliveryId);
  });

  it('puts back a message that arrives before its delivery is due, without an attempt', async () => {
    const { record, ref } = await deliveryMessage();
    receiver.answer({ status: 503, headers: { 'retry-after': '120' } });
    await handler(batch(record));
    sqsMock.resetHistory();

    const early = await handler(batch({ ...record, messageId: randomUUID() }));

    expect(early.batchItemFailures).toHaveLength(0);
    const [delay] = delays();
    expect(delay).toBeGreaterThan(100);
    expect(delay).toBeLessThanOrEqual(120);
    expect(receiver.withId(ref.deliveryId)).toHaveLength(1);
    expect((await deliveryOf(ref)).attempts).toHaveLength(1);
  });

  it('counts a receiver slower than the timeout as a failed attempt to retry', async () => {
    const { record, ref } = await deliveryMessage();
    const impatient = createDeliverHandler({
      ...alerts,
      deliver: { ...alerts.deliver, webhookTimeoutMs: 200 },
    });
    receiver.answer({ slow: true, delayMs: 2_000 });

    const result = await impatient(batch(record));

    expect(result.batchItemFailures).toEqual([]);
    expect(delays()).toEqual([1]);
    expect(await deliveryOf(ref)).toMatchObject({ status: 'pending', attempts: [{ error: 'timeout' }] });
  });

  it('puts back only the failed delivery of a batch', async () => {
    const broken = await startWebhookReceiver('broken');
    try {
      broken.answer(500);
      const failing = await deliveryMessage(broken.url);
      const fine = await deliveryMessage();

      const result = await handler(batch(failing.record, fine.record));

      expect(result.batchItemFailures).toEqual([]);
      expect(sqsMock).toHaveReceivedCommandExactlyOnceWith(SendMessageCommand, {
        MessageBody: JSON.stringify(failing.ref),
      });
      expect(await deliveryOf(fine.ref)).toMatchObject({ status: 'delivered' });
    } finally {
      await broken.close();
    }
  });

  it('disables the subscription on 410 Gone and does not retry', async () => {
    const { record, ref } = await deliveryMessage();
    receiver.answer(410);

    const result = await handler(batch(record));

    expect(result.batchItemFailures).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    expect(await deliveryOf(ref)).toMatchObject({ status: 'gone' });
    expect(await stack.subscriptionRepository.get(ref.subscriptionId)).toMatchObject({ status: 'disabled' });
  });

  it('dead-letters a delivery once the schedule is exhausted, and delivers it on retry', async () => {
    const { record, ref } = await deliveryMessage();
    receiver.answer(500);

    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt++) outcomes.push(await handler(batch(record)));

    expect(outcomes.map((outcome) => outcome.batchItemFailures.length)).toEqual([0, 0, 0]);
    // Two retries put back on the queue; after the third failure the schedule is exhausted.
    expect(delays()).toEqual([1, 1]);
    const { deliveries } = await alerts.subscriptions.deliveries(ref.subscriptionId, 10);
    expect(deliveries).toEqual([
      expect.objectContaining({
        id: ref.deliveryId,
        status: 'dead',
        attempts: [500, 500, 500].map((status) => expect.objectContaining({ status })),
      }),
    ]);

    receiver.answer(200);
    await alerts.subscriptions.retry(ref.subscriptionId, ref.deliveryId);
    const requeued = sqsMock.commandCalls(SendMessageBatchCommand).at(-1)!.args[0].input.Entries!;
    expect(requeued.map((entry) => JSON.parse(entry.MessageBody!))).toEqual([ref]);
    const result = await handler(batch(sqsRecord(requeued[0]!.MessageBody!)));

    expect(result.batchItemFailures).toEqual([]);
    expect(await deliveryOf(ref)).toMatchObject({ status: 'delivered' });
    expect(receiver.withId(ref.deliveryId).map((request) => request.headers['webhook-id'])).toEqual(
      Array(4).fill(ref.deliveryId),
    );
  });

  it('sends nothing again when the same message arrives a second time', async () => {
    const { record, ref } = await deliveryMessage();

    await handler(batch(record));
    const again = await handler(batch({ ...record, messageId: randomUUID() }));

    expect(again.batchItemFailures).toEqual([]);
    expect(receiver.withId(ref.deliveryId)).toHaveLength(1);
    expect((await deliveryOf(ref)).attempts).toHaveLength(1);
  });

  it('sends once when two workers take the same message at once (the attempt is claimed first)', async () => {
    const { record, ref } = await deliveryMessage();
    const otherWorker = createDeliverHandler(awsAlertsFor(stack, new SQSClient({ region: 'eu-west-1' })));

    const results = await Promise.all([handler(batch(record)), otherWorker(batch({ ...record }))]);

    expect(results.flatMap((result) => result.batchItemFailures)).toEqual([]);
    const delivery = await deliveryOf(ref);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ status: 200 }] });
    const seen = receiver.received.filter((request) => request.body.includes(delivery.eventId!));
    expect(seen.map((request) => request.headers['webhook-id'])).toEqual([ref.deliveryId]);
  });

  it('drops a message whose delivery no longer exists', async () => {
    const result = await handler(fixture('sqs-delivery-message.json'));
    expect(result.batchItemFailures).toEqual([]);
  });

  it('reports a message it cannot read as a failure', async () => {
    const unreadable = fixture('sqs-unreadable-message.json');

    const result = await handler(unreadable);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: unreadable.Records[0]!.messageId }]);
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });
});
