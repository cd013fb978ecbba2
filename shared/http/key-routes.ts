import * as z from 'zod/mini';
import { scopes } from '../auth/api-keys.ts';
import { requireScope } from './auth.ts';
import type { AppDeps } from './context.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';
import { lazy, meta, named } from './schema-meta.ts';

const createKeySchema = lazy(() =>
  named(
    'CreateApiKey',
    z.strictObject({
      // Trimmed first: the pattern (a character that is not whitespace) says so.
      name: z._default(
        meta(z.string().check(z.trim(), z.minLength(1), z.maxLength(100)), { pattern: '\\S' }),
        'api key',
      ),
      scopes: z.array(z.enum(scopes)).check(z.minLength(1), z.maxLength(scopes.length)),
    }),
    { example: { name: 'newsroom importer', scopes: ['events:write'] } },
  ),
);

const createdKeySchema = lazy(() =>
  named(
    'CreatedApiKey',
    z.object({ keyId: z.string(), name: z.string(), scopes: z.array(z.string()), key: z.string() }),
  ),
);

/** Admin-only key creation, so `npm run keys` can ask a running server instead of opening its store. */
export function registerKeyRoutes(api: ApiRoutes, deps: AppDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/keys',
      tags: ['Admin'],
      summary: 'Create an API key (shown once; only its hash is stored)',
      security: [{ bearer: [] }],
      middleware: [requireScope(deps.apiKeys, 'admin')],
      request: { body: createKeySchema },
      responses: {
        201: { description: 'The new key', content: { 'application/json': { schema: createdKeySchema } } },
        ...problemResponses(400, 401, 403),
      },
    },
    async (c, input) => {
      const body = input.body;
      const { key, principal } = await deps.apiKeys.create({ name: body.name, scopes: body.scopes });
      return c.json({ ...principal, key }, 201, { 'cache-control': 'no-store' });
    },
  );
}
