import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import type { SubscriptionService } from '../alerts/subscription-service.ts';
import type { Delivery } from '../domain/delivery.ts';
import type { Subscription } from '../domain/subscription.ts';
import { UnauthorizedError } from '../errors.ts';
import { bearerToken, principalWithScope } from './auth.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { problemResponses } from './openapi-common.ts';
import { registerReplayRoute, resolveRange } from './replay-routes.ts';
import { type ApiRoutes, peekJsonBody } from './route.ts';
import { lazy, type SchemaRef } from './schema-meta.ts';
import {
  createdWebhookSchema,
  createSubscriptionSchema,
  deliveriesQuery,
  deliveryParams,
  deliverySchema,
  subscriptionIdParams,
  subscriptionSchema,
  updateSubscriptionSchema,
} from './subscription-schemas.ts';

export interface SubscriptionRoutesDeps {
  /** Resolved on first use, so a Lambda that serves only the timeline never loads the alert pipeline. */
  service: () => Promise<SubscriptionService>;
}

/** The public view of a subscription: never its secrets or token hash. */
export function presentSubscription(subscription: Subscription) {
  const {
    secrets: _secrets,
    tokenHash: _tokenHash,
    version: _version,
    backfill: _backfill,
    ...visible
  } = subscription;
  return { ...visible, frequency: subscription.frequency ?? 'immediate' };
}

export function presentDelivery(delivery: Delivery) {
  const {
    body: _body,
    subscriptionId: _subscriptionId,
    channel: _channel,
    scheduleStart: _start,
    ...visible
  } = delivery;
  return visible;
}

const unsafeTarget =
  'The webhook URL is refused: its host does not resolve, or it is not a public https address';

const json = (schema: SchemaRef, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function registerSubscriptionRoutes(
  api: ApiRoutes,
  deps: AppDeps & { subscriptions: SubscriptionRoutesDeps },
): void {
  const { service: loadService } = deps.subscriptions;

  /**
   * Management access, checked before the request is validated (an unauthenticated caller learns
   * nothing about fields): the subscription's own token, or an admin API key.
   */
  const manageAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = bearerToken(c);
    if (!token)
      throw new UnauthorizedError('Send the subscription token (or an admin key) as Authorization: Bearer …');
    if (token.startsWith('dls_')) {
      c.set('subscription', await (await loadService()).authorise(c.req.param('id') ?? '', token));
    } else {
      c.set('principal', await principalWithScope(deps.apiKeys, token, 'admin'));
    }
    await next();
  };
  /** The subscription the request manages: the one its token opened, or (admin key) the one its id names. */
  const managed = async (c: Context<AppEnv>, id: string): Promise<Subscription> =>
    c.get('subscription') ?? (await loadService()).get(id);

  /** A webhook subscription needs a key with subscriptions:write, checked before its body is validated. */
  const webhookAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
    const body = await peekJsonBody(c);
    if (typeof body === 'object' && body !== null && (body as { channel?: unknown }).channel === 'webhook') {
      c.set('principal', await principalWithScope(deps.apiKeys, bearerToken(c), 'subscriptions:write'));
    }
    await next();
  };
  // The subscription's own token, or an admin API key.
  const security: Record<string, string[]>[] = [{ subscriptionToken: [] }, { bearer: [] }];
  registerReplayRoute(api, { service: loadService, manageAccess, managed, security });

  api.route(
    {
      method: 'post',
      path: '/v1/subscriptions',
      tags: ['Subscriptions'],
      summary: 'Subscribe by email (anyone; double opt-in) or webhook (key with subscriptions:write)',
      // Email: no credential; webhook: an API key with subscriptions:write.
      security: [{}, { bearer: [] }],
      middleware: [webhookAccess],
      request: {
        body: createSubscriptionSchema,
      },
      responses: {
        201: json(
          createdWebhookSchema,
          'Webhook subscription, with its secret and management token (shown once)',
        ),
        202: json(subscriptionSchema, 'Email subscription pending: a confirmation mail is on its way'),
        ...problemResponses(
          400,
          401,
          403,
          [422, `${unsafeTarget}; or the backfill range matches more than 500 events (narrow it)`],
          429,
        ),
      },
    },
    async (c, input) => {
      const service = await loadService();
      const body = input.body;
      const options = {
        ...(body.frequency ? { frequency: body.frequency } : {}),
        ...(body.digestHour !== undefined ? { digestHour: body.digestHour } : {}),
        ...(body.backfill
          ? {
              backfill:
                'limit' in body.backfill ? body.backfill : resolveRange(body.backfill, 'body.backfill'),
            }
          : {}),
      };
      if (body.channel === 'email') {
        const subscription = await service.subscribeEmail(body.address, body.filter, body.types, options);
        return c.json(presentSubscription(subscription), 202);
      }
      // webhookAccess has checked the key already; this keeps the handler safe on its own.
      if (!c.get('principal')) await principalWithScope(deps.apiKeys, bearerToken(c), 'subscriptions:write');
      const created = await service.subscribeWebhook({
        url: body.url,
        filter: body.filter,
        types: body.types,
        ...(body.contactEmail ? { contactEmail: body.contactEmail } : {}),
        ...options,
      });
      const origin = deps.publicUrl ?? new URL(c.req.url).origin;
      return c.json(
        {
          ...presentSubscription(created.subscription),
          secret: created.secret,
          token: created.token,
          ...(created.backfill ? { backfill: created.backfill } : {}),
        },
        201,
        {
          location: `${origin}/v1/subscriptions/${created.subscription.id}`,
          'cache-control': 'no-store',
        },
      );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/subscriptions/{id}',
      tags: ['Subscriptions'],
      summary: 'Read a subscription',
      security,
      middleware: [manageAccess],
      request: { params: subscriptionIdParams },
      responses: {
        200: json(subscriptionSchema, 'The subscription'),
        ...problemResponses(400, 401, 403, 404),
      },
    },
    async (c, input) => c.json(presentSubscription(await managed(c, input.params.id)), 200),
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/subscriptions/{id}',
      tags: ['Subscriptions'],
      summary: 'Change filter, types, url or contact; or re-enable a disabled subscription',
      security,
      middleware: [manageAccess],
      request: {
        params: subscriptionIdParams,
        body: updateSubscriptionSchema,
      },
      responses: {
        200: json(subscriptionSchema, 'The changed subscription'),
        ...problemResponses(
          400,
          401,
          403,
          404,
          [409, 'Unsubscribed (make a new one), or an email subscription set active before its confirmation'],
          [422, unsafeTarget],
        ),
      },
    },
    async (c, input) => {
      const service = await loadService();
      const { id } = input.params;
      await managed(c, id);
      const body = input.body;
      const updated = await service.update(id, {
        ...(body.filter ? { filter: body.filter } : {}),
        ...(body.types ? { types: body.types } : {}),
        ...(body.url ? { url: body.url } : {}),
        ...(body.contactEmail !== undefined ? { contactEmail: body.contactEmail } : {}),
        ...(body.status ? { status: body.status } : {}),
        ...(body.frequency ? { frequency: body.frequency } : {}),
        ...(body.digestHour !== undefined ? { digestHour: body.digestHour } : {}),
      });
      return c.json(presentSubscription(updated), 200);
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/subscriptions/{id}',
      tags: ['Subscriptions'],
      summary: 'Unsubscribe',
      security,
      middleware: [manageAccess],
      request: { params: subscriptionIdParams },
      responses: { 204: { description: 'Unsubscribed' }, ...problemResponses(400, 401, 403, 404) },
    },
    async (c, input) => {
      const service = await loadService();
      const { id } = input.params;
      await managed(c, id);
      await service.unsubscribe(id);
      return c.body(null, 204);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/subscriptions/{id}/test',
      tags: ['Subscriptions'],
      summary: 'Send a signed ping webhook now',
      security,
      middleware: [manageAccess],
      request: { params: subscriptionIdParams },
      responses: {
        200: json(deliverySchema, 'The ping delivery and its attempt'),
        ...problemResponses(400, 401, 403, 404),
      },
    },
    async (c, input) => {
      const service = await loadService();
      const { id } = input.params;
      await managed(c, id);
      return c.json(presentDelivery(await service.ping(id)), 200);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/subscriptions/{id}/secret',
      tags: ['Subscriptions'],
      summary: 'Rotate the webhook secret (the old one keeps signing for 24 hours)',
      security,
      middleware: [manageAccess],
      request: { params: subscriptionIdParams },
      responses: {
        200: json(
          lazy(() => z.object({ secret: z.string(), previousSecretsValidUntil: z.nullable(z.string()) })),
          'The new secret (shown once)',
        ),
        ...problemResponses(400, 401, 403, 404),
      },
    },
    async (c, input) => {
      const service = await loadService();
      const { id } = input.params;
      await managed(c, id);
      const { subscription, secret } = await service.rotateSecret(id);
      const until =
        subscription.secrets
          .slice(1)
          .map((s) => s.expiresAt ?? '')
          .sort()
          .at(-1) || null;
      return c.json({ secret, previousSecretsValidUntil: until }, 200, { 'cache-control': 'no-store' });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/subscriptions/{id}/deliveries',
      tags: ['Subscriptions'],
      summary: 'The delivery log, newest first: every attempt with its time, status or error, and latency',
      security,
      middleware: [manageAccess],
      request: {
        params: subscriptionIdParams,
        query: deliveriesQuery,
      },
      responses: {
        200: json(
          lazy(() => z.object({ items: z.array(deliverySchema()), nextBefore: z.nullable(z.string()) })),
          'Deliveries',
        ),
        ...problemResponses(400, 401, 403, 404),
      },
    },
    async (c, input) => {
      const service = await loadService();
      const { id } = input.params;
      await managed(c, id);
      const { limit, before } = input.query;
      const { deliveries, more } = await service.deliveries(id, limit, before);
      return c.json(
        { items: deliveries.map(presentDelivery), nextBefore: more ? (deliveries.at(-1)?.id ?? null) : null },
        200,
      );
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/subscriptions/{id}/deliveries/{deliveryId}/retry',
      tags: ['Subscriptions'],
      summary: 'Deliver again (for a dead-lettered or failed delivery), with a fresh retry schedule',
      security,
      middleware: [manageAccess],
      request: { params: deliveryParams },
      responses: { 202: json(deliverySchema, 'Queued'), ...problemResponses(400, 401, 403, 404, 409) },
    },
    async (c, input) => {
      const service = await loadService();
      const { id, deliveryId } = input.params;
      await managed(c, id);
      return c.json(presentDelivery(await service.retry(id, deliveryId)), 202);
    },
  );
}
