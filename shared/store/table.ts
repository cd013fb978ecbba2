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

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];

/** Every key attribute named in the declaration (all strings). */
export const keyAttributes: readonly string[] = [
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
];
