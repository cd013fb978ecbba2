import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import type { SubscriptionService } from '../alerts/subscription-service.ts';
import { parseRangeBoundary } from '../domain/dates.ts';
import type { Subscription } from '../domain/subscription.ts';
import { ValidationError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';
import { lazy } from './schema-meta.ts';
import { replayRangeSchema, replaySchema, subscriptionIdParams } from './subscription-schemas.ts';

/**
 * A range of event dates as the timeline reads it: each EDTF boundary resolved to its day (`from`
 * to the first day it can mean, `to` to the last), errors named `<path>.from` / `<path>.to`.
 */
export function resolveRange(
  range: { from: string; to: string },
  path: string,
): { from: string; to: string } {
  const resolve = (side: 'from' | 'to') => {
    try {
      return parseRangeBoundary(range[side], side);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        error.message,
        error.errors.map((e) => ({ ...e, path: `${path}.${side}` })),
        { cause: error },
      );
    }
  };
  const resolved = { from: resolve('from'), to: resolve('to') };
  if (resolved.from > resolved.to)
    throw new ValidationError('from is after to', [
      { path: `${path}.from`, message: 'must not be after to' },
    ]);
  return resolved;
}

const idempotencyHeader = lazy(() =>
  z.object({ 'idempotency-key': z.optional(z.string().check(z.minLength(1), z.maxLength(255))) }),
);

export interface ReplayRouteDeps {
  service: () => Promise<SubscriptionService>;
  /** The subscription routes' management access (the subscription's token or an admin key). */
  manageAccess: MiddlewareHandler<AppEnv>;
  managed: (c: Context<AppEnv>, id: string) => Promise<Subscription>;
  security: Record<string, string[]>[];
}

export function registerReplayRoute(api: ApiRoutes, deps: ReplayRouteDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/subscriptions/{id}/replay',
      tags: ['Subscriptions'],
      summary: 'Send past events again: those whose own date overlaps from..to, in timeline order',
      description:
        "Each matching event (by the subscription's filter, at most 500) becomes one event.created delivery with data.replay: true and data.replayId, shown in the delivery log with the replay id. One replay a minute per subscription (429 with Retry-After); with an Idempotency-Key, a repeat answers the first replay instead of sending again.",
      security: deps.security,
      middleware: [deps.manageAccess],
      request: { params: subscriptionIdParams, headers: idempotencyHeader, body: replayRangeSchema },
      responses: {
        202: {
          description: 'Recorded and queued: one delivery per past event',
          content: { 'application/json': { schema: replaySchema } },
        },
        ...problemResponses(
          400,
          401,
          403,
          404,
          [409, 'The subscription is not active'],
          [
            422,
            'The range matches more than 500 events (narrow it), or an Idempotency-Key reused for another range',
          ],
          429,
        ),
      },
    },
    async (c, input) => {
      const { id } = input.params;
      await deps.managed(c, id);
      const range = resolveRange(input.body, 'body');
      const service = await deps.service();
      const { replay } = await service.replay(id, range, input.headers['idempotency-key']);
      return c.json(replay, 202);
    },
  );
}
