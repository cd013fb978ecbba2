import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { continueFanout, fanOutEvent } from '../alerts/fanout.ts';
import type { AwsAlerts } from './alerts-runtime.ts';
import { parseContinuationMessage } from './sqs-queue.ts';

/** Time kept free at the end of an invocation: the pages in flight when the deadline passes finish in it. */
export const FANOUT_SAFETY_MS = 20_000;

type RemainingTime = Pick<Context, 'getRemainingTimeInMillis'>;

/** The event id a stream record is about, when it is an event item. */
function eventIdOfRecord(record: DynamoDBStreamEvent['Records'][number]): string | undefined {
  const pk = record.dynamodb?.Keys?.pk?.S;
  return pk?.startsWith('EVENT#') ? pk.slice('EVENT#'.length) : undefined;
}

/**
 * Fan-out, fed by two sources. The table's stream: a record only says "this event has pending
 * changes"; fan-out reads the item itself, so a replayed or out-of-date record announces nothing
 * twice, and on a failure the batch stops there and reports that record, so the stream retries
 * from it. The continuation queue: one message per index shard a fan-out left when its
 * invocation's time ran short, each walked on from its cursor. Every invocation stops starting
 * pages FANOUT_SAFETY_MS before its timeout.
 */
export function createFanoutHandler(alerts: AwsAlerts) {
  const options = { ...(alerts.config.fanoutPageSize ? { pageSize: alerts.config.fanoutPageSize } : {}) };
  const deadlineOf = (context?: RemainingTime) =>
    Date.now() + Math.max(1_000, (context?.getRemainingTimeInMillis() ?? 60_000) - FANOUT_SAFETY_MS);

  async function fromStream(
    event: DynamoDBStreamEvent,
    context?: RemainingTime,
  ): Promise<DynamoDBBatchResponse> {
    const deadline = deadlineOf(context);
    const done = new Set<string>();
    for (const record of event.Records) {
      const eventId = eventIdOfRecord(record);
      if (!eventId || done.has(eventId)) continue;
      try {
        await fanOutEvent(alerts.fanout, eventId, { ...options, deadline });
        done.add(eventId);
      } catch (error) {
        alerts.logger.error('fan-out failed', { eventId, error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  }

  async function fromContinuations(event: SQSEvent, context?: RemainingTime): Promise<SQSBatchResponse> {
    const deadline = deadlineOf(context);
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const message = parseContinuationMessage(record.body);
      if (!message) {
        alerts.logger.error('unreadable fan-out continuation', { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        await continueFanout(alerts.fanout, message, { ...options, deadline });
      } catch (error) {
        alerts.logger.error('fan-out continuation failed', { eventId: message.eventId, error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  }

  return async function fanoutHandler(
    event: DynamoDBStreamEvent | SQSEvent,
    context?: RemainingTime,
  ): Promise<DynamoDBBatchResponse | SQSBatchResponse> {
    const first = event.Records[0] as { eventSource?: string } | undefined;
    return first?.eventSource === 'aws:sqs'
      ? fromContinuations(event as SQSEvent, context)
      : fromStream(event as DynamoDBStreamEvent, context);
  };
}
