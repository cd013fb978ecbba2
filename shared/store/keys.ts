/** Every key the table holds, built in one place. See docs/data-model.md for the access patterns. */

export const EVENT_SK = 'EVENT';
const SUBSCRIPTION_SK = 'SUB';
/** Prefix of the sharded `feed` index keys (`FEED#0` …); the stream filter matches on it. */
export const FEED_PREFIX = 'FEED';
export const feedPartition = (shard: number) => `${FEED_PREFIX}#${shard}`;
/** The sharded `due` index keys: `DUE#0` … */
export const duePartition = (shard: number) => `DUE#${shard}`;

export const eventKey = (id: string) => ({ pk: `EVENT#${id}`, sk: EVENT_SK });

/** A timeline dimension: every event is in `all`, its kind, each actor and each tag. */
export type Dimension = { name: 'all' } | { name: 'kind' | 'actor' | 'tag'; value: string };

export const dimensionId = (dimension: Dimension) =>
  dimension.name === 'all' ? 'all' : `${dimension.name}#${dimension.value}`;

/** The timeline partition of one dimension value; sort key is the timeline sort key. */
export const timelinePartition = (dimension: Dimension) => `TL#${dimensionId(dimension)}`;

/** The feeds' change index: an event's entry under one dimension, sorted by when it last changed. */
export const changeIndexPartition = (dimension: Dimension) => `CHG#${dimensionId(dimension)}`;

/** Coverage partitions hold intervals under each month, year, decade, century or millennium they touch. */
export type Granule = { unit: 'M' | 'Y' | 'D' | 'C' | 'K'; value: string };
export const coveragePartition = (dimension: Dimension, granule: Granule) =>
  `TLC#${dimensionId(dimension)}#${granule.unit}#${granule.value}`;

export const apiKeyKey = (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' });
export const idempotencyKey = (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}`, sk: key });
export const subscriptionKey = (id: string) => ({ pk: `SUB#${id}`, sk: SUBSCRIPTION_SK });
export const deliveryKey = (subscriptionId: string, deliveryId: string) => ({
  pk: `SUB#${subscriptionId}`,
  sk: `DLV#${deliveryId}`,
});
/** Subscription index: active subscriptions under one value of the dimension they filter on. */
export const subscriptionIndexPartition = (dimension: Dimension) => `SUBIDX#${dimensionId(dimension)}`;
/** Subscription index: active subscriptions under one value of each of several dimensions (one value: as above). */
export const subscriptionIndexKeyPartition = (key: Exclude<Dimension, { name: 'all' }>[]) =>
  key.length === 0
    ? subscriptionIndexPartition({ name: 'all' })
    : `SUBIDX#${key.map((dimension) => dimensionId(dimension)).join('|')}`;
/** One write shard of a subscription index partition (see shardCounts in table.ts). */
export const subscriptionIndexShard = (partition: string, shard: number) => `${partition}@${shard}`;
/** The payload of one change's alerts, stored once beside its event; deliveries refer to it. */
export const messageKey = (eventId: string, change: string) => ({
  pk: `EVENT#${eventId}`,
  sk: `MSG#${change}`,
});
/** How far a continued fan-out of one change has got: the index shards still to walk, with their cursors. */
export const fanoutProgressKey = (eventId: string, change: string) => ({
  pk: `EVENT#${eventId}`,
  sk: `FANOUT#${change}`,
});
/** A counter of requests of one kind in one time window (rate limits). */
export const throttleKey = (scope: string, window: string) => ({ pk: `THROTTLE#${scope}`, sk: window });
export const metaKey = (name: string) => ({ pk: 'META', sk: name });
/** The change log: one partition, its slots in number order (zero-padded, so they sort as numbers). */
export const CHANGE_LOG_PK = 'CHANGES';
export const changeLogKey = (seq: number) => ({ pk: CHANGE_LOG_PK, sk: String(seq).padStart(15, '0') });
/** The admin listing of subscriptions: one write shard (shardCounts.subscriptionList), sorted by status, channel and id. */
export const subscriptionListPartition = (shard: number) => `SUBLIST@${shard}`;
export const subscriptionListKey = (shard: number, status: string, channel: string, id: string) => ({
  pk: subscriptionListPartition(shard),
  sk: `${status}#${channel}#${id}`,
});
/**
 * Digests: one partition per subscription and period, holding the period's header (`PERIOD`, on
 * the `due` index while the digest is to be sent) and one entry per event (`EVT#<eventId>`).
 */
export const DIGEST_PERIOD_SK = 'PERIOD';
export const digestPeriodKey = (subscriptionId: string, periodStart: string) => ({
  pk: `DIGEST#${subscriptionId}#${periodStart}`,
  sk: DIGEST_PERIOD_SK,
});
export const digestEntryKey = (subscriptionId: string, periodStart: string, eventId: string) => ({
  pk: `DIGEST#${subscriptionId}#${periodStart}`,
  sk: `EVT#${eventId}`,
});
/** The `due` index partitions of digest periods waiting to be sent (shardCounts.digestDue): `DIGESTDUE#0` … */
export const digestDuePartition = (shard: number) => `DIGESTDUE#${shard}`;
