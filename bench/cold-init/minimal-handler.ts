import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';

/**
 * The cold-start baseline: the smallest Lambda that does the same kind of job as the API — a
 * Hono app behind `hono/aws-lambda`, a DynamoDB client built at init, one route.
 */
const client = new DynamoDBClient({});
const app = new Hono();

app.get('/v1/events', async (c) => {
  const region = await client.config.region();
  return c.json({ items: [], nextCursor: null, region });
});

export const handler = handle(app);
