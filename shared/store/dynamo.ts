import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PreconditionFailedError } from '../errors.ts';

export type DocumentClient = DynamoDBDocumentClient;

export interface DynamoConfig {
  tableName: string;
  /** Set for dynalite; unset on AWS (or taken from AWS_ENDPOINT_URL_DYNAMODB by the SDK). */
  endpoint?: string;
  region?: string;
}

/** The table handle every repository receives: a document client and the table's name. */
export interface Table {
  client: DocumentClient;
  name: string;
}

export function createTable(config: DynamoConfig): Table {
  const client = new DynamoDBClient({
    ...(config.endpoint
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    ...(config.region ? { region: config.region } : {}),
    maxAttempts: 5,
  });
  return {
    client: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    name: config.tableName,
  };
}

/** Runs a conditional write and turns a failed condition into a domain error. */
export async function conditionally<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === 'ConditionalCheckFailedException'
    ) {
      throw new PreconditionFailedError(message, { cause: error });
    }
    throw error;
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof PreconditionFailedError || (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Writes in batches of 25, retrying unprocessed items with backoff until all are written. */
export async function batchWrite(table: Table, requests: WriteRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += 25) {
    let pending = requests.slice(start, start + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      if (attempt > 10) throw new Error(`batch write left ${pending.length} items unprocessed`);
      const result = await table.client.send(
        new BatchWriteCommand({ RequestItems: { [table.name]: pending } }),
      );
      pending = (result.UnprocessedItems?.[table.name] ?? []) as WriteRequest[];
    }
  }
}

/** Reads items by key in batches of 100, retrying unprocessed keys; returns the items found. */
export async function batchGet<T>(table: Table, keys: readonly object[], projection?: string): Promise<T[]> {
  const found: T[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending = keys.slice(start, start + 100) as Record<string, unknown>[];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      if (attempt > 10) throw new Error(`batch get left ${pending.length} keys unprocessed`);
      const result = await table.client.send(
        new BatchGetCommand({
          RequestItems: {
            [table.name]: { Keys: pending, ...(projection ? { ProjectionExpression: projection } : {}) },
          },
        }),
      );
      found.push(...((result.Responses?.[table.name] ?? []) as T[]));
      pending = (result.UnprocessedKeys?.[table.name]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}

export interface QueryPage<T> {
  items: T[];
  scanned: number;
  lastKey?: Record<string, unknown>;
}

export async function queryPage<T>(
  table: Table,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<QueryPage<T>> {
  const result = await table.client.send(new QueryCommand({ TableName: table.name, ...input }));
  return {
    items: (result.Items ?? []) as T[],
    scanned: result.ScannedCount ?? result.Count ?? 0,
    ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}),
  };
}

/** Reads a whole (small) partition or key range. */
export async function queryAll<T>(
  table: Table,
  input: Omit<QueryCommandInput, 'TableName'>,
): Promise<QueryPage<T>> {
  const items: T[] = [];
  let scanned = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<T>(table, {
      ...input,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    items.push(...page.items);
    scanned += page.scanned;
    startKey = page.lastKey;
  } while (startKey);
  return { items, scanned };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
