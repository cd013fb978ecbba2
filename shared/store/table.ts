/**
 * The one DynamoDB table, declared once. The CDK storage construct and the local runtime's
 * table creation both read this declaration, so the two cannot drift.
 *
 * Access patterns are documented in docs/data-model.md.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Expiry attribute (epoch seconds) for idempotency records and old delivery attempts. */
  timeToLiveAttribute: 'expiresAt',
  /** Both indexes only point at items (readers fetch the item itself), so they project keys only. */
  globalSecondaryIndexes: [
    /** Sparse: event items that carry changes not yet fanned out (the local change feed and the AWS sweeper). */
    { indexName: 'feed', partitionKey: 'feedPk', sortKey: 'feedSk', projection: 'KEYS_ONLY' },
    /** Sparse: delivery records waiting for an attempt, by due time (the local delivery queue and the AWS sweeper). */
    { indexName: 'due', partitionKey: 'duePk', sortKey: 'dueSk', projection: 'KEYS_ONLY' },
  ],
} as const;

/**
 * Write shards of the keys many writers share, declared once beside the table: every writer
 * spreads its items over `count` partitions by a hash suffix, every reader queries all of them in
 * parallel. DynamoDB takes 1,000 WCU/s and 3,000 RCU/s per partition, a GSI partition too, and a
 * throttled GSI throttles the table's writes (docs/scale.md has the arithmetic):
 * - `due`: every delivery is written there when recorded and at each retry. 16 shards take 16,000
 *   writes/s, 10× what recording a million deliveries in ten minutes needs (1,667/s).
 * - `feed`: one write per event change; editorial write rates are far below one partition's limit,
 *   so 4 shards are headroom for bulk imports, not a need.
 * - `subscriptionIndex`: written at subscribe time, read by fan-out; 8 shards let one change's
 *   fan-out read a partition of a million subscriptions as 8 parallel walks.
 * - `digestDue`: one entry per digest subscription and period with something to send (on the `due`
 *   index, under `DIGESTDUE#<n>`), written by fan-out and read by the digest run; 8 shards are 8
 *   parallel walks when a million digests fall due in the same hour.
 * - `subscriptionList`: the admin listing, written when a subscription is made or changes status;
 *   4 shards take 4,000 subscribes/s, and a page of n reads about n/4 (+2) items from each.
 */
export const shardCounts = {
  due: 16,
  feed: 4,
  subscriptionIndex: 8,
  digestDue: 8,
  subscriptionList: 4,
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];

/** Every key attribute named in the declaration (all strings). */
export const keyAttributes: readonly string[] = [
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
];
