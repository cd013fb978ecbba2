import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue } from '../alerts/fanout.ts';
import type { DeliveryRef } from '../store/delivery-repository.ts';

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

/** The delivery queue on AWS: one SQS message per delivery, sent in batches of ten. */
export function sqsDeliveryQueue(client: SQSClient, queueUrl: string): DeliveryQueue {
  return {
    async enqueue(refs) {
      for (let start = 0; start < refs.length; start += 10) {
        const batch = refs.slice(start, start + 10);
        let entries = batch.map((ref, index) => ({ Id: String(index), MessageBody: JSON.stringify(ref) }));
        for (let attempt = 0; entries.length > 0; attempt++) {
          if (attempt === 5) throw new Error(`SQS refused ${entries.length} delivery messages`);
          const result = await client.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          );
          const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
          entries = entries.filter((entry) => failed.has(entry.Id));
        }
      }
    },
  };
}
