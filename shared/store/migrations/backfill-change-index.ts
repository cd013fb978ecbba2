/**
 * One-off backfill of a table written before the change index (../change-index.ts) existed: every
 * live event gets its entries, under each dimension it is listed in, keyed by when it last changed.
 * Until then the feeds (Atom, RSS, JSON Feed) do not show events that have not changed since.
 *
 * Writes are conditional on the entry not existing, so running it again writes nothing. Run it
 * with writes stopped, as the other backfills: an event changed while it runs could keep the entry
 * of its earlier version beside the new one (the feeds skip such an entry, but it stays).
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { resolveStoredDate } from '../../domain/event.ts';
import { mapLimit } from '../../platform/concurrency.ts';
import { changeIndexItems } from '../change-index.ts';
import { isConditionFailure, type Table } from '../dynamo.ts';
import type { EventItem } from '../event-repository.ts';
import { eventDimensions } from '../timeline-items.ts';

export interface ChangeIndexBackfillCounts {
  scanned: number;
  events: number;
  entries: number;
}

export async function backfillChangeIndex(
  table: Table,
  options: { log?: (line: string) => void; pageSize?: number; concurrency?: number } = {},
): Promise<ChangeIndexBackfillCounts> {
  const log = options.log ?? (() => {});
  const counts: ChangeIndexBackfillCounts = { scanned: 0, events: 0, entries: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#type = :event AND attribute_not_exists(deleted)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':event': 'event' },
        Limit: options.pageSize ?? 500,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    counts.scanned += page.ScannedCount ?? 0;
    const entries = ((page.Items ?? []) as EventItem[]).flatMap((item) => {
      const event = resolveStoredDate(item.event);
      return changeIndexItems(event, eventDimensions(event));
    });
    const events = new Set<string>();
    await mapLimit(entries, options.concurrency ?? 16, async (entry) => {
      try {
        await table.client.send(
          new PutCommand({
            TableName: table.name,
            Item: entry,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        counts.entries++;
        events.add(entry.id);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
    counts.events += events.size;
    startKey = page.LastEvaluatedKey;
    log(
      `scanned ${counts.scanned} items; indexed ${counts.events} events (${counts.entries} entries); next ${startKey ? JSON.stringify(startKey) : 'none (done)'}`,
    );
  } while (startKey);
  return counts;
}
