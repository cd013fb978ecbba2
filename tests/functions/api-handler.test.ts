import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../shared/auth/api-keys.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { eventInput } from '../fixtures/events.ts';
import type { EventPage, ProblemBody } from '../support/test-app.ts';
import { startTestTable, type TestTable } from '../support/test-app.ts';

/**
 * The API Lambda entry point (`functions/api.ts`) driven with real-shaped API Gateway HTTP API
 * (payload v2) events, over a dynalite table; only Secrets Manager and SQS are mocked.
 */

const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dateline/token-key-AbCdEf';
/** The key the POST fixture's Authorization header carries. */
const FIXTURE_KEY = 'dl_fixture0key1_QWxsIHRoZSBuZXdzIHRoYXQgZml0cyB0aGUgdGltZWx';
const TABLE_NAME = 'dateline-lambda-test';
const DELIVERY_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/dateline-DeliveryQueue';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResult>;

const fixture = (name: string): APIGatewayProxyEventV2 =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2;

const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'dateline-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dateline-api',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/dateline-api',
  logStreamName: '2024/06/28/[$LATEST]2e7c1d6b0f0d4d4fa1b2c3d4e5f60718',
  getRemainingTimeInMillis: () => 29_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

const secretsManager = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const ENV_NAMES = [
  'TABLE_NAME',
  'TOKEN_SECRET_ARN',
  'DELIVERY_QUEUE_URL',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'LOG_LEVEL',
] as const;
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));

let dynamo: TestTable;
let handler: Handler;
let launches: TimelineEvent[];

beforeAll(async () => {
  dynamo = await startTestTable(TABLE_NAME);
  // What an operator has in the deployed table: an API key and a few events.
  await new ApiKeyStore(dynamo.table).ensure(FIXTURE_KEY, {
    name: 'fixture writer',
    scopes: ['events:write'],
  });
  const events = new EventService({
    table: dynamo.table,
    events: new EventRepository(dynamo.table),
    idempotency: new IdempotencyStore(dynamo.table),
  });
  launches = [];
  for (const date of ['2024-06-10', '2024-06-12', '2024-06-14']) {
    launches.push(
      (await events.create(eventInput({ kind: 'missile-launch', date, title: `Launch ${date}` }))).event,
    );
  }
  await events.create(eventInput({ kind: 'statement', date: '2024-06-11', title: 'A statement' }));

  secretsManager.reset();
  secretsManager
    .on(GetSecretValueCommand)
    .resolves({ SecretString: 'token-signing-secret-from-secrets-manager' });
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

  Object.assign(process.env, {
    TABLE_NAME,
    TOKEN_SECRET_ARN,
    DELIVERY_QUEUE_URL,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    LOG_LEVEL: 'error',
  });
  ({ handler } = (await import('../../functions/api.ts')) as unknown as { handler: Handler });
});

afterAll(async () => {
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
  secretsManager.restore();
  sqs.restore();
  await dynamo?.close();
});

const header = (result: APIGatewayProxyResult, name: string) =>
  Object.entries(result.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

describe('functions/api handler', () => {
  describe('GET /v1/events?kind=missile-launch&limit=2', () => {
    it('answers 200 with the first two launches and a cursor', async () => {
      const result = await handler(fixture('apigw-get-events.json'), context);
      expect(result.statusCode).toBe(200);
      expect(header(result, 'content-type')).toMatch(/^application\/json/);
      expect(result.isBase64Encoded).toBe(false);
      const page = JSON.parse(result.body) as EventPage;
      expect(page.items.map((event) => event.id)).toEqual(launches.slice(0, 2).map((event) => event.id));
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('signs the cursor with the key from the token secret, fetched once per container', async () => {
      const first = JSON.parse((await handler(fixture('apigw-get-events.json'), context)).body) as EventPage;
      const event = fixture('apigw-get-events.json');
      const rawQueryString = `${event.rawQueryString}&cursor=${encodeURIComponent(first.nextCursor!)}`;
      const second = await handler(
        {
          ...event,
          rawQueryString,
          queryStringParameters: { ...event.queryStringParameters, cursor: first.nextCursor! },
        },
        context,
      );
      expect(second.statusCode).toBe(200);
      expect((JSON.parse(second.body) as EventPage).items.map((e) => e.id)).toEqual([launches[2]!.id]);
      expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: TOKEN_SECRET_ARN });
      expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    });
  });

  describe('POST /v1/events with a base64-encoded body', () => {
    it('creates the event: 201, Location on the API domain, ETag', async () => {
      const result = await handler(fixture('apigw-post-event.json'), context);
      expect(result.statusCode).toBe(201);
      const created = JSON.parse(result.body) as TimelineEvent;
      expect(created).toMatchObject({
        kind: 'missile-launch',
        title: 'Ballistic missile fired at Kharkiv',
        date: '2024-06-15~',
        earliest: '2024-06-15',
        qualifier: 'approximate',
        version: 1,
      });
      expect(header(result, 'location')).toBe(
        `https://k3x9q2v7ab.execute-api.eu-west-1.amazonaws.com/v1/events/${created.id}`,
      );
      expect(header(result, 'etag')).toBe('"v1"');
    });

    it('stores the event in the table', async () => {
      const created = JSON.parse(
        (await handler(fixture('apigw-post-event.json'), context)).body,
      ) as TimelineEvent;
      const stored = await new EventRepository(dynamo.table).get(created.id);
      expect(stored.title).toBe('Ballistic missile fired at Kharkiv');
    });

    it('replays the same response for a repeat with the same Idempotency-Key', async () => {
      const first = await handler(fixture('apigw-post-event.json'), context);
      const second = await handler(fixture('apigw-post-event.json'), context);
      expect(JSON.parse(second.body).id).toBe(JSON.parse(first.body).id);
      expect(header(second, 'idempotent-replayed')).toBe('true');
    });

    it('answers 401 problem+json without the Authorization header', async () => {
      const event = fixture('apigw-post-event.json');
      const { authorization: _dropped, ...headers } = event.headers;
      const result = await handler({ ...event, headers }, context);
      expect(result.statusCode).toBe(401);
      expect(header(result, 'content-type')).toBe('application/problem+json');
      expect(header(result, 'www-authenticate')).toBe('Bearer realm="dateline"');
    });

    it('answers 400 problem+json to a base64 body that is not JSON', async () => {
      const event = fixture('apigw-post-event.json');
      const result = await handler(
        {
          ...event,
          headers: { ...event.headers, 'idempotency-key': 'broken-body' },
          body: Buffer.from('{"kind":').toString('base64'),
        },
        context,
      );
      expect(result.statusCode).toBe(400);
      expect(header(result, 'content-type')).toBe('application/problem+json');
    });
  });

  describe('POST /v1/subscriptions for an email address', () => {
    it('records the subscription and puts its confirmation mail on the delivery queue', async () => {
      const event = fixture('apigw-post-event.json');
      const { authorization: _anyone, 'idempotency-key': _none, ...headers } = event.headers;
      const result = await handler(
        {
          ...event,
          rawPath: '/v1/subscriptions',
          routeKey: '$default',
          headers,
          requestContext: {
            ...event.requestContext,
            http: { ...event.requestContext.http, path: '/v1/subscriptions' },
          },
          body: JSON.stringify({ channel: 'email', address: 'reader@example.org' }),
          isBase64Encoded: false,
        },
        context,
      );
      expect(result.statusCode).toBe(202);
      expect(JSON.parse(result.body)).toMatchObject({ channel: 'email', status: 'pending' });
      expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
      const sent = sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input;
      expect(sent.QueueUrl).toBe(DELIVERY_QUEUE_URL);
      expect(sent.Entries).toHaveLength(1);
      expect(JSON.parse(sent.Entries![0]!.MessageBody!)).toEqual({
        subscriptionId: JSON.parse(result.body).id,
        deliveryId: expect.any(String),
      });
    });
  });

  describe('an unknown route', () => {
    it('answers 404 problem+json naming the route', async () => {
      const result = await handler(fixture('apigw-unknown-route.json'), context);
      expect(result.statusCode).toBe(404);
      expect(header(result, 'content-type')).toBe('application/problem+json');
      expect(JSON.parse(result.body) as ProblemBody).toEqual({
        type: '/problems/not-found',
        title: 'Not Found',
        status: 404,
        detail: 'No route for GET /v1/nowhere',
      });
    });
  });
});
