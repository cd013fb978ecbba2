import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { attemptDelivery } from '../alerts/deliver.ts';
import type { AwsAlerts } from './alerts-runtime.ts';
import { parseDeliveryMessage } from './sqs-queue.ts';

/** SQS allows a message to stay invisible for at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * SQS → delivery. A retry keeps the message: its visibility is set to the backoff and it is
 * reported as a batch item failure, so SQS hands it back when the next attempt is due.
 * Unreadable messages are reported too, and end in the dead-letter queue for inspection.
 */
export function createDeliverHandler(alerts: AwsAlerts) {
  return async function deliverHandler(event: SQSEvent): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const ref = parseDeliveryMessage(record.body);
        if (!ref) {
          alerts.logger.error('unreadable delivery message', { messageId: record.messageId });
          failures.push({ itemIdentifier: record.messageId });
          return;
        }
        try {
          const outcome = await attemptDelivery(alerts.deliver, ref);
          if (outcome.kind === 'retry') {
            await alerts.sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: alerts.queueUrl,
                ReceiptHandle: record.receiptHandle,
                VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, outcome.delaySeconds)),
              }),
            );
            failures.push({ itemIdentifier: record.messageId });
          }
        } catch (error) {
          alerts.logger.error('delivery failed', { deliveryId: ref.deliveryId, error });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    alerts.deliver.metrics.flush();
    return { batchItemFailures: failures };
  };
}
