/**
 * Plays Lambda's part for the handlers on moto, as the stack's event source mappings
 * declare it: API Gateway HTTP API v2 events into `api`; the table's stream read shard by shard
 * (DescribeStream / GetShardIterator / GetRecords), filtered by the mapping's own filter criteria,
 * in batches of its batch size into `fanout`, resuming after a reported failure from the failed
 * record (no bisecting: the handler reports the record), up to its retry attempts; SQS messages
 * received in batches of the mapping's size into `deliver` (and `mail-events`, from its queue),
 * deleting only what the handler did not report failed, so a visibility change holds a message
 * back; `sweep` on its schedule.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { matchesPattern } from './event-filter.ts';
import type { EventSourceMapping, FunctionName, StackOnMoto } from './stack-on-moto.ts';

// biome-ignore lint/suspicious/noExplicitAny: each handler has its own event and result types
export type Handler = (event: any, context: Context) => Promise<any>;
export type Handlers = Record<FunctionName, Handler>;

export interface ApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

type StreamMapping = EventSourceMapping & { source: { kind: 'stream' } };
type QueueMapping = EventSourceMapping & { source: { kind: 'queue' } };

export class LambdaEmulator {
  /** Every batch handed to `fanout` from the stream, as Lambda built it (for replays). */
  readonly streamBatches: DynamoDBStreamEvent[] = [];
  /** Batches the stream mapping gave up on (its on-failure destination). */
  readonly streamFailures: DynamoDBStreamEvent[] = [];
  private readonly streams: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string | undefined>();
  private readonly streamMapping: StreamMapping;
  private readonly queueMappings: QueueMapping[];
  /** Messages received and not deleted (their invocation failed): they return after the visibility timeout. */
  private readonly inFlight: { queueUrl: string; receiptHandle: string }[] = [];

  constructor(
    readonly stack: StackOnMoto,
    readonly handlers: Handlers,
  ) {
    this.streams = new DynamoDBStreamsClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    const streamMappings = stack.mappings.filter((m): m is StreamMapping => m.source.kind === 'stream');
    if (streamMappings.length !== 1) throw new Error('expected one stream event source mapping');
    this.streamMapping = streamMappings[0]!;
    this.queueMappings = stack.mappings.filter((m): m is QueueMapping => m.source.kind === 'queue');
  }

  context(name: FunctionName): Context {
    const deadline = Date.now() + this.stack.timeoutsMs[name];
    return {
      functionName: `dateline-${name}`,
      functionVersion: '$LATEST',
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    } as Context;
  }

  /** One HTTP request through API Gateway's v2 payload into the api function. */
  async api(path: string, request: ApiRequest = {}): Promise<ApiResponse> {
    const url = new URL(path, 'https://api.dateline.test');
    const method = request.method ?? 'GET';
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      host: url.host,
      'x-forwarded-proto': 'https',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      requestContext: {
        accountId: '123456789012',
        apiId: 'moto',
        domainName: url.host,
        domainPrefix: 'api',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '203.0.113.7',
          userAgent: 'tests',
        },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      ...(body !== undefined ? { body } : {}),
      isBase64Encoded: false,
    };
    const result = (await this.handlers.api(event, this.context('api'))) as APIGatewayProxyStructuredResultV2;
    const text = result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64').toString('utf8')
      : (result.body ?? '');
    return {
      status: result.statusCode ?? 200,
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      body: text,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** Reads the stream's new records; each batch goes to `fanout` unless `drop` (a batch lost on the way). */
  async pumpStream(options: { drop?: boolean } = {}): Promise<number> {
    const mapping = this.streamMapping;
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: mapping.source.streamArn }),
    );
    let handed = 0;
    for (const shard of StreamDescription?.Shards ?? []) {
      const records = await this.readShard(mapping.source.streamArn, shard.ShardId!);
      const passing = records.filter(
        (record) =>
          mapping.filterPatterns.length === 0 ||
          mapping.filterPatterns.some((pattern) => matchesPattern(pattern, record)),
      );
      for (let start = 0; start < passing.length; start += mapping.batchSize) {
        const batch = passing.slice(start, start + mapping.batchSize);
        handed += batch.length;
        if (!options.drop) await this.invokeStreamBatch(batch, mapping);
      }
    }
    return handed;
  }

  /** Hands one stream batch to `fanout` again, exactly as it was handed before (a replay). */
  async replayStreamBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    return (await this.handlers.fanout(event, this.context('fanout'))) as DynamoDBBatchResponse;
  }

  private async readShard(streamArn: string, shardId: string): Promise<DynamoDBRecord[]> {
    let iterator = this.iterators.get(shardId);
    if (!this.iterators.has(shardId)) {
      const started = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      iterator = started.ShardIterator;
    }
    const records: DynamoDBRecord[] = [];
    while (iterator) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []).map((record) => lambdaRecord(record, streamArn)));
      this.iterators.set(shardId, page.NextShardIterator);
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) break;
    }
    return records;
  }

  /** Lambda's partial-batch semantics: on a reported failure, checkpoint before it and retry from it. */
  private async invokeStreamBatch(batch: DynamoDBRecord[], mapping: StreamMapping): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const event: DynamoDBStreamEvent = { Records: pending };
      this.streamBatches.push(event);
      let failedAt: number;
      try {
        const response = (await this.handlers.fanout(event, this.context('fanout'))) as
          | DynamoDBBatchResponse
          | undefined;
        const failures = mapping.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
        if (failures.length === 0) return;
        const failedIds = new Set(failures.map((failure) => failure.itemIdentifier));
        failedAt = pending.findIndex((record) => failedIds.has(record.dynamodb?.SequenceNumber ?? ''));
        if (failedAt < 0) failedAt = 0; // an identifier Lambda cannot place fails the whole batch
      } catch {
        failedAt = 0;
      }
      pending = pending.slice(failedAt);
      if (attempt >= (mapping.maximumRetryAttempts ?? Number.POSITIVE_INFINITY)) {
        this.streamFailures.push({ Records: pending });
        return;
      }
    }
  }

  /**
   * Hands each queue's visible messages to its function until none is left, in as many batches at
   * once as the mapping's maximum concurrency allows (as Lambda's pollers do).
   */
  async pumpQueues(): Promise<number> {
    let handled = 0;
    for (const mapping of this.queueMappings) {
      const lanes = Array.from({ length: mapping.maximumConcurrency ?? 1 }, async () => {
        for (
          let received = await this.pumpQueue(mapping);
          received > 0;
          received = await this.pumpQueue(mapping)
        )
          handled += received;
      });
      await Promise.all(lanes);
    }
    return handled;
  }

  private async pumpQueue(mapping: QueueMapping): Promise<number> {
    const { sqs } = this.stack.clients;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: mapping.source.queueUrl,
        MaxNumberOfMessages: mapping.batchSize,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    const records: SQSRecord[] = messages.map((message) => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: message.Attributes as unknown as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: mapping.source.queueArn,
      awsRegion: this.stack.region,
    }));
    let failed: Set<string>;
    try {
      const response = (await this.handlers[mapping.target](
        { Records: records } satisfies SQSEvent,
        this.context(mapping.target),
      )) as SQSBatchResponse | undefined;
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      failed = new Set(records.map((record) => record.messageId));
    }
    // Nothing reported failed is deleted: it comes back after its visibility timeout.
    for (const record of records)
      if (failed.has(record.messageId))
        this.inFlight.push({ queueUrl: mapping.source.queueUrl, receiptHandle: record.receiptHandle });
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: mapping.source.queueUrl,
          Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    return messages.length;
  }

  /** Lets the visibility timeout of every message whose invocation failed run out (time passes). */
  async letVisibilityLapse(): Promise<number> {
    const messages = this.inFlight.splice(0);
    for (const { queueUrl, receiptHandle } of messages) {
      await this.stack.clients.sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => {}); // deleted or received again meanwhile
    }
    return messages.length;
  }

  /** The EventBridge scheduled event of the sweep rule, into `sweep`. */
  async sweep(): Promise<unknown> {
    return this.handlers.sweep(
      {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: new Date().toISOString(),
        region: this.stack.region,
        resources: [],
        detail: {},
      },
      this.context('sweep'),
    );
  }

  /**
   * The EventBridge scheduled event of the digest rule for the hour `time` (the schedule's own
   * time: the same `time` again is a replayed schedule), into `digest`.
   */
  async digest(time: string): Promise<unknown> {
    return this.handlers.digest(
      {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time,
        region: this.stack.region,
        resources: [],
        detail: {},
      },
      this.context('digest'),
    );
  }

  /** Pumps stream and queues until a round finds nothing to do. */
  async settle(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      const work = (await this.pumpStream()) + (await this.pumpQueues());
      if (work === 0) return;
    }
    throw new Error('the pipeline did not settle in 200 rounds');
  }

  /** Pumps until `done()` holds (messages held back by a visibility change come back in time). */
  async settleUntil(done: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.settle();
      if (await done()) return;
      if (Date.now() > deadline) throw new Error('the pipeline did not reach the expected state in time');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A stream record as the Lambda service hands it over (attribute values unmarshalled by the SDK stay as they are). */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const dynamodb = record.dynamodb ?? {};
  const created = dynamodb.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
    },
  };
}
