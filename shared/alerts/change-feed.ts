import { queryPage } from '../store/dynamo.ts';
import { feedPartition } from '../store/keys.ts';
import { allShards } from '../store/shards.ts';
import { shardCounts } from '../store/table.ts';
import { type FanoutDeps, type FanoutOptions, fanOutEvent } from './fanout.ts';

export interface DrainOptions extends FanoutOptions {
  limit: number;
  /** Leave changes younger than this to the stream (the AWS sweeper). */
  olderThan?: Date;
  /** Called when fanning out one event fails; without it the failure propagates. */
  onEventFailure?: (eventId: string, error: unknown) => Promise<void>;
}

/** Events with pending changes, oldest change first, read from every shard of the sparse `feed` index. */
export async function pendingEvents(
  deps: Pick<FanoutDeps, 'table'>,
  options: { limit: number; olderThan?: Date },
): Promise<string[]> {
  const upper = options.olderThan ? `${options.olderThan.toISOString()}#~` : '~';
  const pages = await Promise.all(
    allShards(shardCounts.feed).map((shard) =>
      queryPage<{ pk: string; feedSk: string }>(deps.table, {
        IndexName: 'feed',
        KeyConditionExpression: 'feedPk = :pk AND feedSk <= :upper',
        ExpressionAttributeValues: { ':pk': feedPartition(shard), ':upper': upper },
        Limit: options.limit,
      }),
    ),
  );
  const oldestFirst = pages.flatMap((page) => page.items).sort((a, b) => (a.feedSk < b.feedSk ? -1 : 1));
  return [...new Set(oldestFirst.map((item) => item.pk.slice('EVENT#'.length)))].slice(0, options.limit);
}

/**
 * Announces events that still carry pending changes, oldest first. On one machine this is the
 * change feed; on AWS the stream does the job and this is the sweeper's safety net (`olderThan`
 * leaves recent changes to the stream).
 */
export async function drainChangeFeed(
  deps: FanoutDeps,
  options: DrainOptions,
): Promise<{ events: number; changes: number; deliveries: number; failed: number }> {
  const eventIds = await pendingEvents(deps, options);
  let deliveries = 0;
  let changes = 0;
  let failed = 0;
  for (const eventId of eventIds) {
    try {
      const result = await fanOutEvent(deps, eventId, options);
      deliveries += result.deliveries;
      changes += result.changes;
    } catch (error) {
      if (!options.onEventFailure) throw error;
      failed++;
      await options.onEventFailure(eventId, error);
    }
  }
  return { events: eventIds.length, changes, deliveries, failed };
}
