import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { scopes } from '../auth/api-keys.ts';
import { requireScope } from './auth.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { problemResponses } from './openapi-common.ts';

const CreateKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).default('api key'),
    scopes: z.array(z.enum(scopes)).min(1).max(scopes.length),
  })
  .openapi('CreateApiKey', { example: { name: 'newsroom importer', scopes: ['events:write'] } });

const CreatedKeySchema = z
  .object({ keyId: z.string(), name: z.string(), scopes: z.array(z.string()), key: z.string() })
  .openapi('CreatedApiKey');

/** Admin-only key creation, so `npm run keys` can ask a running server instead of opening its store. */
export function registerKeyRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/keys',
      tags: ['Admin'],
      summary: 'Create an API key (shown once; only its hash is stored)',
      security: [{ bearer: [] }],
      middleware: [requireScope(deps.apiKeys, 'admin')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: CreateKeySchema } } } },
      responses: {
        201: { description: 'The new key', content: { 'application/json': { schema: CreatedKeySchema } } },
        ...problemResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { key, principal } = await deps.apiKeys.create({ name: body.name, scopes: body.scopes });
      return c.json({ ...principal, key }, 201, { 'cache-control': 'no-store' });
    },
  );
}
