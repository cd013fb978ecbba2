/**
 * One-off migration of a table written before the shared keys were write-sharded (see shardCounts
 * in ../table.ts): moves every item still under an unsharded key to its shard, the one the current
 * writers would pick. Readers query only the sharded keys, so until this ran they miss those items.
 *
 * Every write is conditional on the item still being in the old layout (or at the version read),
 * so a writer that changed an item meanwhile wins, a run stopped anywhere can simply be run again,
 * and a run over a migrated table changes nothing.
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscription } from '../../domain/subscription.ts';
import { mapLimit } from '../../platform/concurrency.ts';
import { parseDueSk } from '../delivery-repository.ts';
import { isConditionFailure, type Table } from '../dynamo.ts';
import { duePartition, feedPartition, subscriptionIndexShard, subscriptionKey } from '../keys.ts';
import { shardOf } from '../shards.ts';
import type { SubscriptionCandidate } from '../subscription-repository.ts';
import { shardCounts } from '../table.ts';

/** The unsharded keys older builds wrote. */
const OLD_DUE_PK = 'DUE';
const OLD_FEED_PK = 'FEED';
const INDEX_PREFIX = 'SUBIDX#';
const INDEX_TYPE = 'subscription-index';

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_CONCURRENCY = 16;

interface ScannedItem {
  pk: string;
  sk: string;
  type?: string;
  duePk?: string;
  dueSk?: string;
  feedPk?: string;
  delivery?: { id?: string };
  version?: number;
}

type IndexItem = ScannedItem & SubscriptionCandidate;

interface Counts {
  scanned: number;
  due: number;
  feed: number;
  subscriptionIndex: number;
}

/**
 * Rewrites the table to the sharded layout, one Scan page at a time (at most `concurrency` writes
 * in flight). `segment` runs one segment of a parallel scan (run the others elsewhere); `startKey`
 * resumes after the `next` key a previous run logged. Returns how many items it read and changed.
 */
export async function migrateShardKeys(
  table: Table,
  options: {
    log?: (line: string) => void;
    segment?: { index: number; total: number };
    pageSize?: number;
    concurrency?: number;
    startKey?: Record<string, unknown>;
  } = {},
): Promise<Counts> {
  const log = options.log ?? (() => {});
  const counts: Counts = { scanned: 0, due: 0, feed: 0, subscriptionIndex: 0 };
  let raced = 0;
  let startKey = options.startKey;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.name,
        // Only items in the old layout come back (the read still costs the whole page).
        FilterExpression: 'duePk = :due OR feedPk = :feed OR (#type = :index AND begins_with(pk, :prefix))',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':due': OLD_DUE_PK,
          ':feed': OLD_FEED_PK,
          ':index': INDEX_TYPE,
          ':prefix': INDEX_PREFIX,
        },
        Limit: options.pageSize ?? DEFAULT_PAGE_SIZE,
        ConsistentRead: true,
        ...(options.segment ? { Segment: options.segment.index, TotalSegments: options.segment.total } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    counts.scanned += page.ScannedCount ?? 0;
    const outcomes = await mapLimit(
      (page.Items ?? []) as ScannedItem[],
      options.concurrency ?? DEFAULT_CONCURRENCY,
      (item) => migrateItem(table, item, log),
    );
    for (const outcome of outcomes.flat()) {
      if (outcome === 'raced') raced++;
      else counts[outcome]++;
    }
    startKey = page.LastEvaluatedKey;
    log(
      `scanned ${counts.scanned} items; migrated ${counts.due} due, ${counts.feed} feed, ` +
        `${counts.subscriptionIndex} subscription index; next ${startKey ? JSON.stringify(startKey) : 'none (done)'}`,
    );
  } while (startKey);
  if (raced > 0) log(`${raced} items were changed by another writer meanwhile and left to it`);
  return counts;
}

type Outcome = 'due' | 'feed' | 'subscriptionIndex' | 'raced';

async function migrateItem(table: Table, item: ScannedItem, log: (line: string) => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  if (item.duePk === OLD_DUE_PK) {
    const deliveryId = typeof item.dueSk === 'string' ? parseDueSk(item.dueSk).deliveryId : item.delivery?.id;
    if (deliveryId) {
      const moved = await moveIndexKey(
        table,
        item,
        'duePk',
        duePartition(shardOf(deliveryId, shardCounts.due)),
      );
      outcomes.push(moved ? 'due' : 'raced');
    } else log(`skipped ${item.pk} ${item.sk}: duePk ${OLD_DUE_PK} without a delivery id`);
  }
  if (item.feedPk === OLD_FEED_PK && item.pk.startsWith('EVENT#')) {
    const eventId = item.pk.slice('EVENT#'.length);
    const moved = await moveIndexKey(
      table,
      item,
      'feedPk',
      feedPartition(shardOf(eventId, shardCounts.feed)),
    );
    outcomes.push(moved ? 'feed' : 'raced');
  }
  if (item.type === INDEX_TYPE && item.pk.startsWith(INDEX_PREFIX)) {
    const shard = shardOf(item.sk, shardCounts.subscriptionIndex);
    // A sharded partition ends in `@<the subscription's shard>` (an old one could only by chance).
    if (!item.pk.endsWith(`@${shard}`)) {
      const moved = await moveIndexItem(
        table,
        item as IndexItem,
        subscriptionIndexShard(item.pk, shard),
        log,
      );
      outcomes.push(moved ? 'subscriptionIndex' : 'raced');
    }
  }
  return outcomes;
}

/** Sets a GSI partition key to its shard, only while it still holds the old value. */
async function moveIndexKey(
  table: Table,
  item: ScannedItem,
  attribute: 'duePk' | 'feedPk',
  sharded: string,
): Promise<boolean> {
  return succeeded(
    table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${attribute} = :sharded`,
        ConditionExpression: `${attribute} = :old`,
        ExpressionAttributeValues: { ':sharded': sharded, ':old': item[attribute] },
      }),
    ),
  );
}

/**
 * Moves an index item to its sharded partition: written there unless a newer version already is
 * (as SubscriptionRepository writes it), then removed here unless it changed since it was read.
 * An item the subscription no longer stands for (it is inactive or gone, or was re-indexed with
 * another filter since, by a build that wrote only sharded keys) is removed without a copy.
 */
async function moveIndexItem(
  table: Table,
  item: IndexItem,
  shardedPk: string,
  log: (line: string) => void,
): Promise<boolean> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: subscriptionKey(item.sk), ConsistentRead: true }),
  );
  const subscription = Item?.subscription as Subscription | undefined;
  const current = subscription?.status === 'active' && indexedAs(subscription, item);
  const copied =
    current &&
    (await succeeded(
      table.client.send(
        new PutCommand({
          TableName: table.name,
          Item: { ...item, pk: shardedPk },
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
          ExpressionAttributeValues: { ':version': item.version },
        }),
      ),
    ));
  const removed = await succeeded(
    table.client.send(
      new DeleteCommand({
        TableName: table.name,
        Key: { pk: item.pk, sk: item.sk },
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': item.version },
      }),
    ),
  );
  if (!current && removed)
    log(`dropped ${item.pk} ${item.sk}: its subscription is inactive, gone or indexed with another filter`);
  return copied || removed;
}

/** Whether an index item holds what the subscription's state would be indexed with. */
function indexedAs(subscription: Subscription, item: SubscriptionCandidate): boolean {
  const same = (a: readonly string[] = [], b: readonly string[] = []) =>
    JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return (
    subscription.channel === item.channel &&
    same(subscription.types, item.types) &&
    same(subscription.filter.kinds, item.filter?.kinds) &&
    same(subscription.filter.actors, item.filter?.actors) &&
    same(subscription.filter.tags, item.filter?.tags)
  );
}

/** True when the conditional write went through, false when its condition failed. */
async function succeeded(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
