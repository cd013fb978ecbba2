import type { RouteKey } from './route.ts';

/**
 * The API's routes by group, as the app routes them before a group's code loads (route-groups.ts).
 * Each list is the group's routes in the order its module registers them; loading a group checks
 * that it registered exactly these (tests load every group). The groups' order is the routing and
 * the OpenAPI document's order.
 */
export const ROUTE_TABLE = {
  events: [
    'GET /v1/events',
    'GET /v1/events/{id}',
    'POST /v1/events',
    'PATCH /v1/events/{id}',
    'DELETE /v1/events/{id}',
  ],
  feeds: [
    'GET /v1/feeds/events.atom',
    'GET /v1/feeds/events.rss',
    'GET /v1/feeds/events.json',
    'GET /v1/feeds/events.ics',
    'GET /v1/timeline.json',
  ],
  changes: ['GET /v1/changes'],
  keys: ['POST /v1/keys'],
  /** The pages mail links open: before `/v1/subscriptions/{id}`, which would take `confirm` for an id. */
  links: [
    'GET /v1/subscriptions/confirm',
    'POST /v1/subscriptions/confirm',
    'GET /v1/unsubscribe',
    'POST /v1/unsubscribe',
  ],
  subscriptions: [
    'POST /v1/subscriptions/{id}/replay',
    'POST /v1/subscriptions',
    'GET /v1/subscriptions/{id}',
    'PATCH /v1/subscriptions/{id}',
    'DELETE /v1/subscriptions/{id}',
    'POST /v1/subscriptions/{id}/test',
    'POST /v1/subscriptions/{id}/secret',
    'GET /v1/subscriptions/{id}/deliveries',
    'POST /v1/subscriptions/{id}/deliveries/{deliveryId}/retry',
  ],
  subscriptionAdmin: ['GET /v1/subscriptions'],
} as const satisfies Record<string, readonly RouteKey[]>;
