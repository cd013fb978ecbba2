import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { attemptDelivery } from '../alerts/deliver.ts';
import type { AwsAlerts } from './alerts-runtime.ts';
import { enqueueDelayed, MAX_QUEUE_DELAY_SECONDS, parseDeliveryMessage } from './sqs-queue.ts';

/**
 * SQS → delivery. Every message is done with once attempted: a retry due within SQS's longest
 * delay (15 min) goes back on the queue as a new delayed message; one due later waits in the `due`
 * index, and the sweeper re-drives it once due. Nothing sits in flight between attempts, so
 * retries never count against the queue's in-flight limit. Unreadable messages are reported, and
 * end in the dead-letter queue for inspection; so is a message whose attempt failed unexpectedly
 * (SQS hands it back after its visibility timeout).
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
          if (outcome.kind === 'retry' && outcome.delaySeconds <= MAX_QUEUE_DELAY_SECONDS) {
            await enqueueDelayed(alerts.sqs, alerts.queueUrl, ref, outcome.delaySeconds);
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
