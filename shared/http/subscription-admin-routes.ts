import type { MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { channels, subscriptionStatuses } from '../store/subscription-listing.ts';
import { bearerToken, principalWithScope } from './auth.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';
import { lazy, meta, named } from './schema-meta.ts';
import { queryInteger } from './schemas.ts';
import { presentSubscription, type SubscriptionRoutesDeps } from './subscription-routes.ts';
import { subscriptionSchema } from './subscription-schemas.ts';

const listQuerySchema = lazy(() =>
  z.object({
    status: meta(z.optional(z.enum(subscriptionStatuses)), {
      description: 'Only subscriptions in this status',
    }),
    channel: meta(z.optional(z.enum(channels)), {
      description: 'Only email or only webhook subscriptions',
    }),
    limit: queryInteger(1, 200, 50),
    cursor: meta(z.optional(z.string().check(z.maxLength(2000))), {
      description: 'Opaque cursor from a previous page (for the same status and channel)',
    }),
  }),
);

const listPageSchema = lazy(() =>
  named(
    'SubscriptionPage',
    z.object({
      items: z.array(subscriptionSchema()),
      nextCursor: meta(z.nullable(z.string()), { description: 'null on the last page' }),
    }),
  ),
);

/** The listing's cursors name the filter they were issued for, so one cannot be used with another. */
const listingQuery = (status: string | undefined, channel: string | undefined) =>
  `subscriptions:${status ?? '*'}:${channel ?? '*'}`;

function readCursor(text: string, key: Uint8Array) {
  try {
    return decodeCursor(text, key);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const message = error.errors[0]?.message ?? error.message;
    throw new ValidationError(`cursor: ${message}`, [{ path: 'query.cursor', message }], { cause: error });
  }
}

/** GET /v1/subscriptions: the admin's view of every subscription (never a secret, a token or a token's hash). */
export function registerSubscriptionAdminRoutes(
  api: ApiRoutes,
  deps: AppDeps & { subscriptions: SubscriptionRoutesDeps },
): void {
  const adminAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = bearerToken(c);
    if (token?.startsWith('dls_')) {
      throw new ForbiddenError(
        'A subscription token manages its own subscription only; listing subscriptions needs an admin key',
      );
    }
    c.set('principal', await principalWithScope(deps.apiKeys, token, 'admin'));
    await next();
  };

  api.route(
    {
      method: 'get',
      path: '/v1/subscriptions',
      tags: ['Subscriptions'],
      summary: 'List subscriptions (admin key), by status and channel, a page at a time',
      description:
        'Ordered by status, channel and id. Shows what GET /v1/subscriptions/{id} shows: never a webhook secret, a management token or its hash.',
      security: [{ bearer: [] }],
      middleware: [adminAccess],
      request: { query: listQuerySchema },
      responses: {
        200: {
          description: 'A page of subscriptions',
          content: { 'application/json': { schema: listPageSchema } },
        },
        ...problemResponses(400, 401, [403, 'The key is not an admin key, or a subscription token was sent']),
      },
    },
    async (c, { query }) => {
      const key = await deps.tokenKey();
      const fingerprint = listingQuery(query.status, query.channel);
      let after: string | undefined;
      if (query.cursor !== undefined) {
        const cursor = readCursor(query.cursor, key);
        if (cursor.query !== fingerprint) {
          throw new ValidationError('This cursor belongs to a different status or channel', [
            { path: 'query.cursor', message: 'does not match these filters' },
          ]);
        }
        after = cursor.after;
      }
      const service = await deps.subscriptions.service();
      const page = await service.list({
        status: query.status,
        channel: query.channel,
        limit: query.limit,
        after,
      });
      return c.json(
        {
          items: page.subscriptions.map(presentSubscription),
          nextCursor: page.next ? encodeCursor({ after: page.next, query: fingerprint }, key) : null,
        },
        200,
        { 'cache-control': 'no-store' },
      );
    },
  );
}
