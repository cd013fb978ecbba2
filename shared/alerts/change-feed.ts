import { queryPage } from '../store/dynamo.ts';
import { FEED_PARTITION } from '../store/keys.ts';
import { type FanoutDeps, fanOutEvent } from './fanout.ts';

/**
 * Announces events that still carry pending changes, oldest first, read from the sparse `feed`
 * index. On one machine this is the change feed; on AWS the stream does the job and this is the
 * sweeper's safety net (`olderThan` leaves recent changes to the stream).
 */
export async function drainChangeFeed(
  deps: FanoutDeps,
  options: { limit: number; olderThan?: Date },
): Promise<{ events: number; deliveries: number }> {
  const upper = options.olderThan ? `${options.olderThan.toISOString()}#~` : '~';
  const page = await queryPage<{ pk: string }>(deps.table, {
    IndexName: 'feed',
    KeyConditionExpression: 'feedPk = :pk AND feedSk <= :upper',
    ExpressionAttributeValues: { ':pk': FEED_PARTITION, ':upper': upper },
    Limit: options.limit,
  });
  const eventIds = [...new Set(page.items.map((item) => item.pk.slice('EVENT#'.length)))];
  let deliveries = 0;
  for (const eventId of eventIds) {
    deliveries += (await fanOutEvent(deps, eventId)).deliveries;
  }
  return { events: eventIds.length, deliveries };
}
