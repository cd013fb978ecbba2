/**
 * The pages' routes, registered with the API's app (one HTTP API serves both). Only this file loads
 * with the app: the pages themselves (rendering, stylesheet, country names) are imported on the
 * first page request, so an API function that never serves a page never loads them.
 */
import type { Context, Hono } from 'hono';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { type Problem, problemResponse } from '../http/problem.ts';
import type { RouteGroups } from '../http/route-groups.ts';
import { ROUTE_TABLE } from '../http/route-table.ts';
import { onceRetrying } from '../platform/once-retrying.ts';

/** The page handlers, imported once, on first use (a failed import is tried again next time). */
export const loadPages: () => Promise<typeof import('./pages.ts')> = onceRetrying(() => import('./pages.ts'));

/** Paths whose answer is a page: their errors are pages too unless the client asks for JSON. */
const PAGE_PATH = /^\/(events\/[^/]*|subscribe|v1\/subscriptions\/confirm|v1\/unsubscribe)?$/;

/** The quality (RFC 9110 §12.5.1) an Accept header gives a media type, by its most specific matching range. */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let q = 0;
  for (const range of accept.split(',')) {
    const [name = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const specificity = name === type ? 3 : name === `${major}/*` ? 2 : name === '*/*' ? 1 : 0;
    if (specificity <= best || specificity === 0) continue;
    best = specificity;
    const weight = parameters.find((parameter) => parameter.startsWith('q='));
    q = weight ? Number.parseFloat(weight.slice(2)) || 0 : 1;
  }
  return q;
}

/**
 * Whether an error should be answered as an HTML page: the client ranks text/html above JSON (a
 * browser does), or, on a page's path, does not rank JSON above it. API clients keep problem+json.
 */
export function prefersHtml(accept: string | undefined, path: string): boolean {
  const page = PAGE_PATH.test(path);
  if (!accept) return page;
  const htmlQ = quality(accept, 'text/html');
  const jsonQ = Math.max(quality(accept, 'application/json'), quality(accept, 'application/problem+json'));
  return htmlQ === jsonQ ? page && htmlQ > 0 : htmlQ > jsonQ;
}

/** A problem answered by content negotiation: an HTML error page for browsers, problem+json for the rest. */
export function negotiatedProblem(
  c: Context,
  problem: Problem,
  headers: Record<string, string> = {},
): Response | Promise<Response> {
  if (!prefersHtml(c.req.header('accept'), c.req.path)) return problemResponse(c, problem, headers);
  return loadPages().then((module) => module.errorPageResponse(c, problem, headers));
}

/**
 * The timeline (`/`), an event (`/events/{id}`), subscribing from a page (`POST /subscribe`), the
 * pages opened from mail links (in the API document), the stylesheet and icon.
 */
export function registerPages(app: Hono<AppEnv>, routes: RouteGroups, deps: AppDeps): void {
  app.get('/', async (c) => (await loadPages()).timelinePage(c, deps));
  app.get('/events/:id', async (c) => (await loadPages()).eventPage(c, deps));
  app.get('/assets/:file', async (c) => (await loadPages()).assetResponse(c));
  app.get('/favicon.ico', async (c) => (await loadPages()).faviconResponse(c));
  if (deps.subscriptions) {
    const { subscriptions } = deps;
    app.post('/subscribe', async (c) => (await loadPages()).subscribeAction(c, { ...deps, subscriptions }));
    routes.group(ROUTE_TABLE.links, async (api) =>
      (await import('./link-routes.ts')).registerLinkRoutes(api, { subscriptions }, loadPages),
    );
  }
}
