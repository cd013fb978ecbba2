import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ContinuationMessage, DeliveryQueue, FanoutContinuations } from '../alerts/fanout.ts';
import { mapLimit } from '../platform/concurrency.ts';
import type { DeliveryRef } from '../store/delivery-repository.ts';

/** The longest DelaySeconds SQS takes; a retry due later waits in the `due` index for the sweeper. */
export const MAX_QUEUE_DELAY_SECONDS = 900;
/** SendMessageBatch calls in flight at once per enqueue (a fan-out page of 500 is 50 batches). */
const SEND_CONCURRENCY = 10;

/** Parses a delivery queue message; undefined when it is not one of ours. */
export function parseDeliveryMessage(body: string): DeliveryRef | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<DeliveryRef>;
    if (typeof parsed.subscriptionId === 'string' && typeof parsed.deliveryId === 'string') {
      return { subscriptionId: parsed.subscriptionId, deliveryId: parsed.deliveryId };
    }
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/** Parses a fan-out continuation message; undefined when it is not one. */
export function parseContinuationMessage(body: string): ContinuationMessage | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<ContinuationMessage>;
    const unit = parsed.unit;
    if (
      typeof parsed.eventId === 'string' &&
      typeof parsed.change === 'string' &&
      typeof unit?.partition === 'string' &&
      Number.isInteger(unit.shard)
    ) {
      return {
        eventId: parsed.eventId,
        change: parsed.change,
        unit: {
          partition: unit.partition,
          shard: unit.shard,
          ...(unit.cursor ? { cursor: unit.cursor } : {}),
        },
      };
    }
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/** Sends message bodies in batches of ten, several batches at once, retrying the entries SQS refused. */
async function sendAll(client: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  const batches: string[][] = [];
  for (let start = 0; start < bodies.length; start += 10) batches.push(bodies.slice(start, start + 10));
  await mapLimit(batches, SEND_CONCURRENCY, async (batch) => {
    let entries = batch.map((body, index) => ({ Id: String(index), MessageBody: body }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`SQS refused ${entries.length} messages`);
      const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  });
}

/** The delivery queue on AWS: one SQS message per delivery. */
export function sqsDeliveryQueue(client: SQSClient, queueUrl: string): DeliveryQueue {
  return {
    enqueue: (refs) =>
      sendAll(
        client,
        queueUrl,
        refs.map((ref) => JSON.stringify({ subscriptionId: ref.subscriptionId, deliveryId: ref.deliveryId })),
      ),
  };
}

/** A retry due in `delaySeconds` (at most MAX_QUEUE_DELAY_SECONDS): a new message SQS holds back until then. */
export async function enqueueDelayed(
  client: SQSClient,
  queueUrl: string,
  ref: DeliveryRef,
  delaySeconds: number,
): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ subscriptionId: ref.subscriptionId, deliveryId: ref.deliveryId }),
      DelaySeconds: Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(delaySeconds))),
    }),
  );
}

/** Fan-out continuations on AWS: one message per index shard still to walk, consumed by the fan-out function. */
export function sqsFanoutContinuations(client: SQSClient, queueUrl: string): FanoutContinuations {
  return {
    send: (messages) =>
      sendAll(
        client,
        queueUrl,
        messages.map((message) => JSON.stringify(message)),
      ),
  };
}
