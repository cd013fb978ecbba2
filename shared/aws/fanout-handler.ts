import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { fanOutEvent } from '../alerts/fanout.ts';
import type { AwsAlerts } from './alerts-runtime.ts';

/** The event id a stream record is about, when it is an event item. */
function eventIdOfRecord(record: DynamoDBStreamEvent['Records'][number]): string | undefined {
  const pk = record.dynamodb?.Keys?.pk?.S;
  return pk?.startsWith('EVENT#') ? pk.slice('EVENT#'.length) : undefined;
}

/**
 * DynamoDB stream → fan-out. A record only says "this event has pending changes"; fan-out reads
 * the item itself, so a replayed or out-of-date record announces nothing twice. On a failure the
 * batch stops there and reports that record, so the stream retries from it (bisecting as configured).
 */
export function createFanoutHandler(alerts: AwsAlerts) {
  return async function fanoutHandler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const done = new Set<string>();
    for (const record of event.Records) {
      const eventId = eventIdOfRecord(record);
      if (!eventId || done.has(eventId)) continue;
      try {
        await fanOutEvent(alerts.fanout, eventId);
        done.add(eventId);
      } catch (error) {
        alerts.logger.error('fan-out failed', { eventId, error });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
