import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Table } from './dynamo.ts';
import { idempotencyKey } from './keys.ts';

export interface IdempotencyRecord<R> {
  requestHash: string;
  /** The id the first request reserved for what it creates. */
  resourceId: string;
  /** The first response, once the first request finished. */
  response?: R;
}

const RETENTION_SECONDS = 24 * 3600;

/** Idempotency-Key records: the first request reserves a resource id before it creates anything. */
export class IdempotencyStore {
  constructor(private readonly table: Table) {}

  /** Reserves the key for this request, or returns the record an earlier request left. */
  async reserve<R>(
    scope: string,
    key: string,
    record: { requestHash: string; resourceId: string },
    now: Date,
  ): Promise<{ reserved: true } | { reserved: false; existing: IdempotencyRecord<R> }> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...idempotencyKey(scope, key),
            ...record,
            createdAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { reserved: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const result = await this.table.client.send(
        new GetCommand({ TableName: this.table.name, Key: idempotencyKey(scope, key), ConsistentRead: true }),
      );
      return { reserved: false, existing: result.Item as IdempotencyRecord<R> };
    }
  }

  async complete<R>(scope: string, key: string, response: R): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: idempotencyKey(scope, key),
        UpdateExpression: 'SET #response = :response',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':response': response },
      }),
    );
  }
}
