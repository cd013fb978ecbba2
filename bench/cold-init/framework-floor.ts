import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import * as z from 'zod/mini';

/**
 * Informational only: the smallest handler on the API's framework (plain Hono and zod/mini),
 * one validated route and a DynamoDB client. Its cold start shows how much of the API's is the
 * framework's, before any Dateline code.
 */
const client = new DynamoDBClient({});
const app = new Hono();
const Query = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(200)), 50),
});

app.get('/v1/events', async (c) => {
  const query = Query.safeParse(c.req.query());
  if (!query.success) return c.json({ errors: query.error.issues }, 400);
  return c.json({ items: [], limit: query.data.limit, region: await client.config.region() }, 200);
});

export const handler = handle(app);
