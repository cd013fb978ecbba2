import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFanoutHandler } from '../../shared/aws/fanout-handler.ts';
import { parseDeliveryMessage } from '../../shared/aws/sqs-queue.ts';
import { type AlertPayload, deliveryIdFor } from '../../shared/domain/delivery.ts';
import type { AlertType, SubscriptionFilter } from '../../shared/domain/subscription.ts';
import type { DeliveryRef } from '../../shared/store/delivery-repository.ts';
import type { DocumentClient, Table } from '../../shared/store/dynamo.ts';
import { type AlertStack, awsAlertsFor, QUEUE_URL, startAlertStack } from '../support/alert-stack.ts';

const fixture = (name: string): DynamoDBStreamEvent =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as DynamoDBStreamEvent;

const sqsMock = mockClient(SQSClient);
let stack: AlertStack;

/** SQS accepting every entry of a batch. */
const acceptBatch = (input: SendMessageBatchCommandInput) => ({
  Successful: (input.Entries ?? []).map((entry) => ({
    Id: entry.Id,
    MessageId: randomUUID(),
    MD5OfMessageBody: '',
  })),
  Failed: [],
});

beforeEach(async () => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake(acceptBatch);
  stack = await startAlertStack();
});
afterEach(async () => {
  await stack.close();
});

const handlerOver = (table?: Table) =>
  createFanoutHandler(awsAlertsFor(stack, new SQSClient({ region: 'eu-west-1' }), table));

/** Writes the items the stream records show, as the API's writes did before the stream reported them. */
async function writeImages(event: DynamoDBStreamEvent): Promise<void> {
  for (const record of event.Records) {
    const image = record.dynamodb!.NewImage as Record<string, AttributeValue>;
    await stack.table.client.send(
      new PutCommand({ TableName: stack.table.name, Item: unmarshall(image as never) }),
    );
  }
}

/** Every delivery message sent to the queue so far. */
function sentRefs(): DeliveryRef[] {
  return sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => parseDeliveryMessage(entry.MessageBody ?? '')!);
}

async function webhook(filter: Partial<SubscriptionFilter>, types: AlertType[] = ['event.created']) {
  const { subscription } = await stack.service.subscribeWebhook({
    url: 'https://hooks.example.org/dateline',
    filter: { kinds: [], actors: [], tags: [], ...filter },
    types,
  });
  return subscription;
}

const recordedAlerts = async (subscriptionId: string) =>
  (await stack.deliveries.list(subscriptionId, 50)).deliveries.filter((d) => d.kind.startsWith('event.'));

const eventIdOf = (event: DynamoDBStreamEvent, index = 0) =>
  event.Records[index]!.dynamodb!.Keys!.pk!.S!.slice(6);

describe('the fan-out function', () => {
  it('sends one delivery message per matching subscription for an INSERT', async () => {
    const stream = fixture('stream-insert-event.json');
    await writeImages(stream);
    const matching = await Promise.all([
      webhook({ tags: ['hwasong-11'] }),
      webhook({ actors: ['KP'] }),
      webhook({ kinds: ['missile-finding'], actors: ['un-panel-of-experts'] }),
    ]);
    await webhook({ tags: ['russia-dprk-pact'] });
    await webhook({ kinds: ['statement'] });
    await stack.service.subscribeEmail('pending@example.net', { kinds: [], actors: ['KP'], tags: [] }, [
      'event.created',
    ]);

    const result = await handlerOver()(stream);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: QUEUE_URL });
    const eventId = eventIdOf(stream);
    const createdAt = '2024-06-28T23:05:00.000Z';
    const expected = matching.map((s) => ({
      subscriptionId: s.id,
      deliveryId: deliveryIdFor(s.id, eventId, 1, createdAt),
    }));
    expect(sentRefs()).toHaveLength(3);
    expect(sentRefs()).toEqual(expect.arrayContaining(expected));
  });

  it('announces a MODIFY as event.updated with the previous date', async () => {
    const stream = fixture('stream-modify-event.json');
    await writeImages(stream);
    const subscription = await webhook({ tags: ['russia-dprk-pact'] }, ['event.updated']);

    const result = await handlerOver()(stream);

    expect(result.batchItemFailures).toEqual([]);
    expect(sentRefs().map((ref) => ref.subscriptionId)).toEqual([subscription.id]);
    const [alert] = await recordedAlerts(subscription.id);
    const payload = JSON.parse(alert!.body) as AlertPayload;
    expect(payload).toMatchObject({
      type: 'event.updated',
      data: {
        previous: { date: '2024-06' },
        changed: ['date'],
        event: { date: '2024-06-19', precision: 'day' },
      },
    });
  });

  it('records nothing new and sends no new delivery id when the same batch is replayed', async () => {
    const stream = fixture('stream-batch-events.json');
    await writeImages(stream);
    const subscriptions = await Promise.all([
      webhook({ tags: ['arms-embargo'] }),
      webhook({ actors: ['RU'] }),
    ]);
    const handler = handlerOver();

    const first = await handler(stream);
    const firstIds = new Set(sentRefs().map((ref) => ref.deliveryId));
    const recorded = await Promise.all(subscriptions.map((s) => recordedAlerts(s.id)));
    const replay = await handler(stream);

    expect(first.batchItemFailures).toEqual([]);
    expect(replay.batchItemFailures).toEqual([]);
    expect(firstIds.size).toBe(6);
    expect(new Set(sentRefs().map((ref) => ref.deliveryId))).toEqual(firstIds);
    expect(await Promise.all(subscriptions.map((s) => recordedAlerts(s.id)))).toEqual(recorded);
  });

  it('re-sends the same delivery ids when a batch is retried after the queue failed', async () => {
    const stream = fixture('stream-insert-event.json');
    await writeImages(stream);
    const subscription = await webhook({ tags: ['hwasong-11'] });
    sqsMock
      .on(SendMessageBatchCommand)
      .rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }))
      .callsFake(acceptBatch);
    const handler = handlerOver();

    const failed = await handler(stream);
    const retried = await handler(stream);

    expect(failed.batchItemFailures).toEqual([
      { itemIdentifier: stream.Records[0]!.dynamodb!.SequenceNumber },
    ]);
    expect(retried.batchItemFailures).toEqual([]);
    const [alert] = await recordedAlerts(subscription.id);
    const attempts = sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries);
    expect(attempts).toHaveLength(2);
    for (const entries of attempts)
      expect(entries?.map((e) => parseDeliveryMessage(e.MessageBody!)?.deliveryId)).toEqual([alert!.id]);
    expect(await recordedAlerts(subscription.id)).toHaveLength(1);
  });

  it("reports a failing record's sequence number and leaves the records after it for the retry", async () => {
    const stream = fixture('stream-batch-events.json');
    await writeImages(stream);
    const subscription = await webhook({ tags: ['arms-embargo'] });
    const [first, failing, last] = [0, 1, 2].map((i) => eventIdOf(stream, i));
    // DynamoDB fails reading the second event (an injected fault; everything else reaches dynalite).
    const faulty: Table = {
      name: stack.table.name,
      client: {
        send: (command: unknown) =>
          command instanceof GetCommand && command.input.Key?.pk === `EVENT#${failing}`
            ? Promise.reject(
                Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }),
              )
            : stack.table.client.send(command as GetCommand),
      } as unknown as DocumentClient,
    };

    const result = await handlerOver(faulty)(stream);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: stream.Records[1]!.dynamodb!.SequenceNumber },
    ]);
    expect((await recordedAlerts(subscription.id)).map((d) => d.eventId)).toEqual([first]);
    expect(Object.keys((await stack.eventRepository.getItem(last!))!.changes)).toEqual(['v1']);

    const retry = await handlerOver()({ Records: stream.Records.slice(1) });

    expect(retry.batchItemFailures).toEqual([]);
    expect((await recordedAlerts(subscription.id)).map((d) => d.eventId).sort()).toEqual(
      [first, failing, last].sort(),
    );
  });
});
