import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TimelineEvent } from '../domain/event.ts';
import {
  eventProbeKeys,
  type IndexKey,
  type Subscription,
  type SubscriptionFilter,
  subscriptionIndexKeys,
} from '../domain/subscription.ts';
import { NotFoundError } from '../errors.ts';
import { conditionally, isConditionFailure, queryPage, type Table } from './dynamo.ts';
import {
  metaKey,
  subscriptionIndexKeyPartition,
  subscriptionIndexShard,
  subscriptionKey,
  throttleKey,
} from './keys.ts';
import { allShards, shardOf } from './shards.ts';
import { SubscriptionListing } from './subscription-listing.ts';
import { shardCounts } from './table.ts';

/** What an index item holds: enough to decide a match without reading the subscription. */
export interface SubscriptionCandidate {
  subscriptionId: string;
  channel: Subscription['channel'];
  filter: SubscriptionFilter;
  types: Subscription['types'];
  version: number;
  /** Digest subscriptions: fan-out collects a digest entry instead of recording a delivery. */
  frequency?: Subscription['frequency'];
  digestHour?: number;
}

/** The index items of an active subscription: one per index key, all in the subscription's own shard. */
const indexKeys = (subscription: Subscription) => {
  if (subscription.status !== 'active') return [];
  const shard = shardOf(subscription.id, shardCounts.subscriptionIndex);
  return subscriptionIndexKeys(subscription.filter).map((key) => ({
    pk: subscriptionIndexShard(subscriptionIndexKeyPartition(key), shard),
    sk: subscription.id,
  }));
};

/** Whether two states of a subscription are indexed alike (so a save need not touch its index items). */
const indexedAlike = (a: Subscription, b: Subscription) =>
  (a.status === 'active') === (b.status === 'active') &&
  a.channel === b.channel &&
  JSON.stringify([a.filter, a.types, a.frequency, a.digestHour]) ===
    JSON.stringify([b.filter, b.types, b.frequency, b.digestHour]);

/** One page of one shard of an index partition, and where the next page starts. */
export interface IndexPage {
  items: SubscriptionCandidate[];
  scanned: number;
  next?: Record<string, unknown>;
}

export interface SubscriptionRepositoryOptions {
  /**
   * Keep subscriptions read or written, the index partitions fan-out read and the registered
   * shapes for this long. Only for a process through which every subscription write passes (the
   * local runtime): there the cache can never be stale, as every index write here drops the
   * cached partitions and shapes. Unset on AWS, where several functions write.
   */
  cacheMs?: number;
}

/** At most this many index pages are kept (with their candidates) before the cache starts over. */
const MAX_CACHED_PAGES = 1_000;

export class SubscriptionRepository {
  private readonly cache = new Map<string, { subscription: Subscription; until: number }>();
  /** Index pages as read (single-writer processes only), dropped by every index write. */
  private readonly partitions = new Map<string, { page: IndexPage; until: number }>();
  private shapes: { shapes: Set<string> | undefined; until: number } | undefined;
  /** Bumped around every index write, so a read that overlapped one is not cached. */
  private indexGeneration = 0;
  /** The admin listing (by status and channel), kept beside each subscription write. */
  readonly listing: SubscriptionListing;

  constructor(
    private readonly table: Table,
    private readonly options: SubscriptionRepositoryOptions = {},
  ) {
    this.listing = new SubscriptionListing(table);
  }

  async get(id: string): Promise<Subscription> {
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.subscription;
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: subscriptionKey(id), ConsistentRead: true }),
    );
    if (!result.Item) throw new NotFoundError(`No subscription with id ${id}`);
    return this.remember(result.Item.subscription as Subscription);
  }

  private remember(subscription: Subscription): Subscription {
    if (this.options.cacheMs) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(subscription.id, { subscription, until: Date.now() + this.options.cacheMs });
    }
    return subscription;
  }

  async create(subscription: Subscription): Promise<void> {
    await this.listing.enter(subscription);
    await this.put(
      subscription,
      'attribute_not_exists(pk)',
      {},
      `Subscription ${subscription.id} already exists`,
    );
    this.remember(subscription);
    await this.syncIndex(undefined, subscription);
  }

  /**
   * Counts a confirmation mail requested for an address in the current UTC day; false once `max`
   * were requested, so nobody can flood someone's inbox through the public subscribe endpoint.
   * The address is kept only as a hash, and the counter expires with its day.
   */
  async countConfirmationRequest(address: string, now: Date, max: number): Promise<boolean> {
    const day = now.toISOString().slice(0, 10);
    const addressHash = createHash('sha256').update(address.trim().toLowerCase()).digest('hex');
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: throttleKey(`confirm#${addressHash}`, day),
          UpdateExpression: 'SET requests = if_not_exists(requests, :zero) + :one, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(requests) OR requests < :max',
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':max': max,
            ':expires': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 2 * 86_400,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Saves a new state if the stored one is still `previous` (PreconditionFailedError otherwise). */
  async save(previous: Subscription, next: Subscription): Promise<void> {
    await this.listing.enter(next, previous);
    try {
      await this.put(
        next,
        'version = :expected',
        { ':expected': previous.version },
        `Subscription ${next.id} changed meanwhile`,
      );
    } catch (error) {
      this.cache.delete(next.id);
      throw error;
    }
    this.remember(next);
    await this.listing.leave(previous, next);
    // A health mark (failingSince) or a secret rotation leaves the index items and shapes as they are.
    if (!indexedAlike(previous, next)) await this.syncIndex(previous, next);
  }

  private put(
    subscription: Subscription,
    condition: string,
    values: Record<string, unknown>,
    conflict: string,
  ) {
    return conditionally(
      () =>
        this.table.client.send(
          new PutCommand({
            TableName: this.table.name,
            Item: {
              ...subscriptionKey(subscription.id),
              type: 'subscription',
              version: subscription.version,
              subscription,
            },
            ConditionExpression: condition,
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          }),
        ),
      conflict,
    );
  }

  /** Index items follow the subscription; writes are conditional on versions, so a slow writer cannot undo a newer state. */
  async syncIndex(previous: Subscription | undefined, next: Subscription): Promise<void> {
    const keep = new Set(indexKeys(next).map((key) => key.pk));
    const stale = previous ? indexKeys(previous).filter((key) => !keep.has(key.pk)) : [];
    const candidate: SubscriptionCandidate = {
      subscriptionId: next.id,
      channel: next.channel,
      filter: next.filter,
      types: next.types,
      version: next.version,
      ...(next.frequency && next.frequency !== 'immediate'
        ? { frequency: next.frequency, digestHour: next.digestHour }
        : {}),
    };
    this.forgetIndex();
    try {
      // The shapes in use are registered before any index item of that shape exists, so a fan-out
      // that can see an item also knows to look for its shape.
      // Those of the previous state were registered with it; only new ones need the write.
      const registered = new Set(previous ? indexKeyShapes(previous) : []);
      await this.registerShapes(indexKeyShapes(next).filter((shape) => !registered.has(shape)));
      await this.writeIndex(previous, next, stale, candidate);
    } finally {
      this.forgetIndex();
    }
  }

  /** Drops the cached index partitions and shapes; a read in progress will not cache what it got. */
  private forgetIndex(): void {
    this.indexGeneration++;
    this.partitions.clear();
    this.shapes = undefined;
  }

  private async writeIndex(
    previous: Subscription | undefined,
    next: Subscription,
    stale: { pk: string; sk: string }[],
    candidate: SubscriptionCandidate,
  ): Promise<void> {
    await Promise.all([
      ...indexKeys(next).map((key) =>
        ignoreStale(
          this.table.client.send(
            new PutCommand({
              TableName: this.table.name,
              Item: { ...key, type: 'subscription-index', ...candidate },
              ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
              ExpressionAttributeValues: { ':version': next.version },
            }),
          ),
        ),
      ),
      ...(next.status === 'active' ? stale : previous ? indexKeys(previous) : []).map((key) =>
        ignoreStale(
          this.table.client.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: key,
              ConditionExpression: 'version < :version',
              ExpressionAttributeValues: { ':version': next.version },
            }),
          ),
        ),
      ),
    ]);
  }

  /**
   * The index partitions (unsharded names) an event's fan-out walks: the combinations of its kind,
   * actors and tags (and the match-all partition) — never all subscriptions, and mostly only those
   * that match — limited to the shapes some subscription is indexed under (most events have 16
   * combinations). Given several states of the event (an update's before and after), the union.
   */
  async probePartitions(...states: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>[]): Promise<string[]> {
    const shapes = await this.shapesInUse();
    return [
      ...new Set(
        states.flatMap((state) =>
          eventProbeKeys(state)
            .filter((key) => shapes === undefined || shapes.has(shapeOf(key)))
            .map((key) => subscriptionIndexKeyPartition(key)),
        ),
      ),
    ];
  }

  /** One page (at most `limit` items) of one shard of an index partition, from `cursor` on. */
  async indexPage(
    partition: string,
    shard: number,
    limit: number,
    cursor?: Record<string, unknown>,
  ): Promise<IndexPage> {
    const pk = subscriptionIndexShard(partition, shard);
    const cacheKey = `${pk}|${limit}|${cursor ? JSON.stringify(cursor) : ''}`;
    const cached = this.partitions.get(cacheKey);
    if (cached && cached.until > Date.now()) return { ...cached.page, scanned: 0 };
    const generation = this.indexGeneration;
    const page = await queryPage<SubscriptionCandidate>(this.table, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    });
    const result: IndexPage = {
      items: page.items,
      scanned: page.scanned,
      ...(page.lastKey ? { next: page.lastKey } : {}),
    };
    // Only a shard that fits one page is kept: many events reach the same small audiences, while a
    // large audience read page by page would otherwise stay in memory after its fan-out.
    const whole = !cursor && !result.next;
    if (this.options.cacheMs && whole && generation === this.indexGeneration) {
      if (this.partitions.size >= MAX_CACHED_PAGES) this.partitions.clear();
      this.partitions.set(cacheKey, { page: result, until: Date.now() + this.options.cacheMs });
    }
    return result;
  }

  /**
   * Every active subscription that may match any of the states, all shards and pages read into
   * memory: for small audiences and tools (fan-out itself walks page by page, see alerts/fanout-walk.ts).
   */
  async candidatesFor(...states: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>[]): Promise<{
    candidates: SubscriptionCandidate[];
    itemsRead: number;
  }> {
    const byId = new Map<string, SubscriptionCandidate>();
    let itemsRead = 0;
    const walks = (await this.probePartitions(...states)).flatMap((partition) =>
      allShards(shardCounts.subscriptionIndex).map(async (shard) => {
        let cursor: Record<string, unknown> | undefined;
        do {
          const page = await this.indexPage(partition, shard, 1000, cursor);
          itemsRead += page.scanned;
          for (const item of page.items) byId.set(item.subscriptionId, item);
          cursor = page.next;
        } while (cursor);
      }),
    );
    await Promise.all(walks);
    return { candidates: [...byId.values()], itemsRead };
  }

  private async registerShapes(shapes: string[]): Promise<void> {
    if (shapes.length === 0) return;
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: metaKey(SHAPES),
        UpdateExpression: 'ADD shapes :shapes',
        ExpressionAttributeValues: { ':shapes': new Set(shapes) },
      }),
    );
  }

  /** The registered shapes; undefined for a store written before shapes were registered (probe them all). */
  private async shapesInUse(): Promise<Set<string> | undefined> {
    if (this.shapes && this.shapes.until > Date.now()) return this.shapes.shapes;
    const generation = this.indexGeneration;
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: metaKey(SHAPES), ConsistentRead: true }),
    );
    const shapes = result.Item?.shapes as Set<string> | undefined;
    if (this.options.cacheMs && generation === this.indexGeneration)
      this.shapes = { shapes, until: Date.now() + this.options.cacheMs };
    return shapes;
  }
}

/** The item listing which index key shapes (`all`, `kind`, `actor|tag`, …) subscriptions use. */
const SHAPES = 'subscription-index-shapes';

/** The shape of an index key: the dimensions it names, in order ("all" for none). */
const shapeOf = (key: IndexKey) => (key.length === 0 ? 'all' : key.map((part) => part.name).join('|'));

const indexKeyShapes = (subscription: Subscription) =>
  subscription.status === 'active'
    ? [...new Set(subscriptionIndexKeys(subscription.filter).map(shapeOf))]
    : [];

async function ignoreStale(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
