import { BatchGetCommand, DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Subscription, SubscriptionStatus } from '../domain/subscription.ts';
import { isConditionFailure, queryPage, type Table } from './dynamo.ts';
import { subscriptionKey, subscriptionListKey, subscriptionListPartition } from './keys.ts';
import { allShards, shardOf } from './shards.ts';
import { shardCounts } from './table.ts';

/**
 * The admin listing of subscriptions: one small item per subscription under `SUBLIST@<shard>`,
 * sort key `<status>#<channel>#<id>`, so that a status, or a status and a channel, is a key
 * prefix, and a page reads about its own size from each shard (docs/data-model.md).
 *
 * Without transactions the item and the subscription are two writes: the listing item of a new
 * state is written before the subscription, the old one removed after it. A stopped writer can
 * leave an item too many, never one too few; a reader checks every listed subscription against
 * its stored state, skips what no longer matches and removes it: at once when it was written for
 * the stored version or an older one, else once it is older than any write takes (its writer may
 * still be about to save that version).
 */

/** How long an item written for a version newer than the stored one is left to its writer. */
const WRITER_GRACE_MS = 5 * 60 * 1000;

/** In sort order, as the listing holds them. */
export const subscriptionStatuses = [
  'active',
  'disabled',
  'pending',
  'unsubscribed',
] as const satisfies readonly SubscriptionStatus[];
export const channels = ['email', 'webhook'] as const satisfies readonly Channel[];

interface ListingItem {
  pk: string;
  sk: string;
  type: 'subscription-list';
  subscriptionId: string;
  version: number;
  enteredAt: string;
}

export interface ListingFilter {
  status?: SubscriptionStatus | undefined;
  channel?: Channel | undefined;
}

export interface ListingRequest extends ListingFilter {
  limit: number;
  /** Sort key of the last item of the previous page. */
  after?: string | undefined;
}

export interface ListingPage {
  subscriptions: Subscription[];
  /** Where the next page starts, when another item follows. */
  next?: string;
  /** Items DynamoDB read: listing items (ScannedCount) and subscriptions. */
  itemsRead: number;
}

const keyOf = (subscription: Subscription) =>
  subscriptionListKey(
    shardOf(subscription.id, shardCounts.subscriptionList),
    subscription.status,
    subscription.channel,
    subscription.id,
  );

const sameKey = (a: { pk: string; sk: string }, b: { pk: string; sk: string }) =>
  a.pk === b.pk && a.sk === b.sk;

/** The key prefixes a filter reads, in sort order (each shard reads them one after the other). */
export function listingPrefixes(filter: ListingFilter): string[] {
  const statuses: readonly SubscriptionStatus[] = filter.status ? [filter.status] : subscriptionStatuses;
  return statuses.map((status) => (filter.channel ? `${status}#${filter.channel}#` : `${status}#`));
}

export class SubscriptionListing {
  constructor(
    private readonly table: Table,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Before a subscription is written in a new state: its listing item (none needed when its key stays). */
  async enter(next: Subscription, previous?: Subscription): Promise<void> {
    const key = keyOf(next);
    if (previous && sameKey(key, keyOf(previous))) return;
    await ignoreConditionFailure(
      this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...key,
            type: 'subscription-list',
            subscriptionId: next.id,
            version: next.version,
            enteredAt: this.clock().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
          ExpressionAttributeValues: { ':version': next.version },
        }),
      ),
    );
  }

  /** After it was written: the listing item of its previous state goes, unless a newer state wrote it again. */
  async leave(previous: Subscription, next: Subscription): Promise<void> {
    const key = keyOf(previous);
    if (sameKey(key, keyOf(next))) return;
    await this.remove(key, previous.version);
  }

  /** A page of subscriptions in listing order (status, channel, id), each as it is stored now. */
  async page(request: ListingRequest): Promise<ListingPage> {
    const prefixes = listingPrefixes(request);
    const streams = allShards(shardCounts.subscriptionList).map(
      (shard) => new ShardStream(this.table, subscriptionListPartition(shard), prefixes, request.after),
    );
    const chunk = Math.ceil((request.limit + 1) / streams.length) + 2;
    const listed: ListingItem[] = [];
    while (listed.length <= request.limit) {
      const empty = streams.filter((stream) => stream.open && stream.buffer.length === 0);
      if (empty.length > 0) {
        await Promise.all(empty.map((stream) => stream.fill(chunk)));
        continue;
      }
      const next = streams
        .filter((stream) => stream.buffer.length > 0)
        .reduce<ShardStream | undefined>(
          (best, stream) => (!best || stream.head! < best.head! ? stream : best),
          undefined,
        );
      if (!next) break;
      listed.push(next.buffer.shift()!);
    }
    const page = listed.slice(0, request.limit);
    const stored = await this.stored(page.map((item) => item.subscriptionId));
    const subscriptions: Subscription[] = [];
    const stale: Promise<void>[] = [];
    for (const item of page) {
      const subscription = stored.get(item.subscriptionId);
      if (subscription && sameKey(item, keyOf(subscription))) subscriptions.push(subscription);
      // Left by a writer that stopped, or lost a race: the subscription is elsewhere in the listing (or nowhere).
      else stale.push(this.remove(item, subscription?.version ?? item.version, this.graceCutoff()));
    }
    await Promise.all(stale);
    const itemsRead = streams.reduce((sum, stream) => sum + stream.scanned, 0) + stored.size;
    return {
      subscriptions,
      ...(listed.length > request.limit ? { next: page.at(-1)!.sk } : {}),
      itemsRead,
    };
  }

  /** Removes a listing item unless a state newer than `upTo` wrote it (since `enteredBefore`, when given). */
  private async remove(key: { pk: string; sk: string }, upTo: number, enteredBefore?: string): Promise<void> {
    await ignoreConditionFailure(
      this.table.client.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: { pk: key.pk, sk: key.sk },
          ConditionExpression: enteredBefore
            ? 'version <= :version OR enteredAt < :before'
            : 'version <= :version',
          ExpressionAttributeValues: {
            ':version': upTo,
            ...(enteredBefore ? { ':before': enteredBefore } : {}),
          },
        }),
      ),
    );
  }

  private graceCutoff(): string {
    return new Date(this.clock().getTime() - WRITER_GRACE_MS).toISOString();
  }

  /** The subscriptions as stored, read consistently (a page of at most 200: two requests). */
  private async stored(ids: string[]): Promise<Map<string, Subscription>> {
    const found = new Map<string, Subscription>();
    for (let start = 0; start < ids.length; start += 100) {
      let keys: Record<string, unknown>[] = ids.slice(start, start + 100).map(subscriptionKey);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`batch get left ${keys.length} subscriptions unread`);
        const result = await this.table.client.send(
          new BatchGetCommand({ RequestItems: { [this.table.name]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.table.name] ?? []) {
          const subscription = item.subscription as Subscription;
          found.set(subscription.id, subscription);
        }
        keys = (result.UnprocessedKeys?.[this.table.name]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }
}

/** One shard's listing items under the filter's prefixes, in sort order, read a chunk at a time. */
class ShardStream {
  readonly buffer: ListingItem[] = [];
  scanned = 0;
  private range = 0;
  private startKey: Record<string, unknown> | undefined;

  constructor(
    private readonly table: Table,
    private readonly pk: string,
    private readonly prefixes: string[],
    private readonly after: string | undefined,
  ) {
    this.skipRangesBefore();
  }

  get open(): boolean {
    return this.range < this.prefixes.length;
  }

  get head(): string | undefined {
    return this.buffer[0]?.sk;
  }

  /** Reads up to `limit` more items, moving on to the next prefix when one is exhausted. */
  async fill(limit: number): Promise<void> {
    while (this.open && this.buffer.length === 0) {
      const prefix = this.prefixes[this.range]!;
      const page = await queryPage<ListingItem>(this.table, {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': this.pk, ':from': prefix, ':to': `${prefix}~` },
        Limit: limit,
        ...(this.startKey ? { ExclusiveStartKey: this.startKey } : {}),
      });
      this.scanned += page.scanned;
      this.buffer.push(...page.items);
      this.startKey = page.lastKey;
      if (!page.lastKey) this.nextRange();
    }
  }

  private nextRange(): void {
    this.range++;
    this.startKey = undefined;
    this.skipRangesBefore();
  }

  /** Skips the prefixes the cursor is past, and starts inside the one it is in. */
  private skipRangesBefore(): void {
    const after = this.after;
    if (after === undefined) return;
    while (this.open && after >= `${this.prefixes[this.range]}~`) this.range++;
    if (this.open && after >= this.prefixes[this.range]!) this.startKey = { pk: this.pk, sk: after };
  }
}

async function ignoreConditionFailure(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
