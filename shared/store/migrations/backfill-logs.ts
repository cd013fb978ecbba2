/**
 * One-off backfill of a table written before the change log and the subscription listing existed:
 * every event the log does not know yet is logged once as `created` (with its current state), and
 * every subscription gets its listing item. Run it with writes stopped (before turning traffic on
 * after the deploy): a write racing the backfill of its event could be logged before it.
 *
 * Events changed since the log began (`updatedAt` at or after its first slot) were logged by the
 * writers themselves; events with changes still pending are logged by fan-out. A backfilled event
 * keeps the number it was logged under (`logSeq`), so running the backfill again logs nothing twice.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscription } from '../../domain/subscription.ts';
import { mapLimit } from '../../platform/concurrency.ts';
import { ChangeLog, entryOf, putSlot } from '../change-log.ts';
import { isConditionFailure, type Table } from '../dynamo.ts';
import type { EventItem } from '../event-repository.ts';
import { eventKey } from '../keys.ts';
import { SubscriptionListing } from '../subscription-listing.ts';

interface ScannedItem {
  pk: string;
  sk: string;
  type?: string;
  logSeq?: number;
  subscription?: Subscription;
}

export interface BackfillCounts {
  scanned: number;
  events: number;
  subscriptions: number;
}

export async function backfillLogs(
  table: Table,
  options: { log?: (line: string) => void; pageSize?: number; concurrency?: number } = {},
): Promise<BackfillCounts> {
  const log = options.log ?? (() => {});
  const changeLog = new ChangeLog(table);
  const listing = new SubscriptionListing(table);
  const first = await changeLog.slot(1);
  const logBegan = first?.loggedAt;
  const counts: BackfillCounts = { scanned: 0, events: 0, subscriptions: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#type IN (:event, :subscription)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':event': 'event', ':subscription': 'subscription' },
        Limit: options.pageSize ?? 500,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    counts.scanned += page.ScannedCount ?? 0;
    await mapLimit((page.Items ?? []) as ScannedItem[], options.concurrency ?? 16, async (item) => {
      if (item.type === 'subscription' && item.subscription) {
        await listing.enter(item.subscription);
        counts.subscriptions++;
      } else if (
        item.type === 'event' &&
        (await logEvent(table, changeLog, item as ScannedItem & EventItem, logBegan))
      )
        counts.events++;
    });
    startKey = page.LastEvaluatedKey;
    log(
      `scanned ${counts.scanned} items; logged ${counts.events} events, listed ${counts.subscriptions} subscriptions; next ${startKey ? JSON.stringify(startKey) : 'none (done)'}`,
    );
  } while (startKey);
  return counts;
}

/** Logs an event the change log does not know yet; true when it did. */
async function logEvent(
  table: Table,
  changeLog: ChangeLog,
  item: EventItem & { logSeq?: number },
  logBegan: string | undefined,
): Promise<boolean> {
  if (item.deleted || Object.keys(item.changes ?? {}).length > 0) return false;
  const entry = entryOf(item, { type: 'event.created', version: item.version, at: item.event.updatedAt });
  if (item.logSeq !== undefined) {
    // Claimed by an earlier run: logged, or it stopped before logging (then its number may have been sealed).
    const slot = await changeLog.slot(item.logSeq);
    if (slot?.entry) return false;
    if (!slot && (await putSlot(table, item.logSeq, new Date(), entry))) return true;
  } else if (logBegan !== undefined && item.event.updatedAt >= logBegan) return false;
  const seq = await changeLog.allocate();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: eventKey(item.event.id),
        UpdateExpression: 'SET logSeq = :seq',
        ConditionExpression:
          item.logSeq === undefined
            ? 'attribute_not_exists(logSeq) AND version = :version'
            : 'logSeq = :old AND version = :version',
        ExpressionAttributeValues: {
          ':seq': seq,
          ':version': item.version,
          ...(item.logSeq === undefined ? {} : { ':old': item.logSeq }),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    await changeLog.seal(seq);
    return false;
  }
  return putSlot(table, seq, new Date(), entry);
}
