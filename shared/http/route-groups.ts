import type { Handler, Hono } from 'hono';
import { onceRetrying } from '../platform/once-retrying.ts';
import type { AppEnv } from './context.ts';
import { ApiRoutes, mount, type RouteKey, type RouteSpec } from './route.ts';

/** Fills a group's routes: imports the group's module and registers its routes on `api`. */
export type RegisterGroup = (api: ApiRoutes) => Promise<void>;

/**
 * The API's routes, routed before their code loads. Each group (the event routes, the feeds, the
 * subscriptions…) names its routes in the route table (route-table.ts); the app routes them at
 * init, and a group's module — its specs, handlers, schemas and what they use — is imported on
 * the first request one of its routes gets. A cold start thus compiles and runs only the code of
 * the routes it serves, and `/openapi.json` loads them all.
 */
export class RouteGroups {
  readonly #loaders: (() => Promise<ApiRoutes>)[] = [];

  constructor(private readonly app: Hono<AppEnv>) {}

  /** Routes `routes` (in this order) to the group `register` fills; it must register exactly those. */
  group(routes: readonly RouteKey[], register: RegisterGroup): void {
    const load = onceRetrying(async () => {
      const api = new ApiRoutes();
      await register(api);
      assertRoutes(api.keys(), routes);
      return api;
    });
    this.#loaders.push(load);
    for (const key of routes) {
      let handler: Handler<AppEnv> | undefined;
      mount(this.app, key, async (c, next) => {
        handler ??= (await load()).handler(key)!;
        return handler(c, next);
      });
    }
  }

  /** Every route's spec, group by group in the order they were added (loads every group). */
  async specs(): Promise<RouteSpec[]> {
    const groups = await Promise.all(this.#loaders.map((load) => load()));
    return groups.flatMap((api) => api.specs);
  }
}

/** A group that registers other routes than the table names for it is a programming error, said plainly. */
function assertRoutes(registered: RouteKey[], named: readonly RouteKey[]): void {
  if (registered.length === named.length && registered.every((key, index) => key === named[index])) return;
  throw new Error(
    `route table out of date: the group registers [${registered.join(', ')}] but the table names [${named.join(', ')}]`,
  );
}
