import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { handle } from 'hono/aws-lambda';

/**
 * Informational only: the smallest handler on the API's framework (@hono/zod-openapi and zod),
 * one validated route and a DynamoDB client. Its cold start shows how much of the API's is the
 * framework's, before any Dateline code.
 */
const client = new DynamoDBClient({});
const app = new OpenAPIHono();

app.openapi(
  createRoute({
    method: 'get',
    path: '/v1/events',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: {
        description: 'A page of events',
        content: { 'application/json': { schema: z.object({ items: z.array(z.unknown()) }) } },
      },
    },
  }),
  async (c) => c.json({ items: [], region: await client.config.region() }, 200),
);

export const handler = handle(app);
