import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { AppDeps, AppEnv } from './context.ts';
import { docsPage } from './docs-page.ts';
import { registerEventRoutes } from './event-routes.ts';
import { registerKeyRoutes } from './key-routes.ts';
import { registerLinkRoutes } from './link-routes.ts';
import { openApiDocument } from './openapi-document.ts';
import { problem, problemResponse, toProblem } from './problem.ts';
import { ApiRoutes } from './route.ts';
import { registerSubscriptionRoutes } from './subscription-routes.ts';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const info = {
  title: 'Dateline API',
  version: '1.0.0',
  description:
    'A timeline of dated events in international affairs, with alerts by email and signed webhooks.',
};

const bearerScheme = {
  type: 'http',
  scheme: 'bearer',
  description: 'An API key (dl_…) or, for subscription management, the subscription token',
};

/** The Dateline HTTP API: the same Hono app behind API Gateway and on `npm start`. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const api = new ApiRoutes(app);

  // One middleware for the request id and the access log: every middleware layer costs a few
  // microseconds on every request, a noticeable share of a timeline read answered from memory.
  const assignRequestId = requestId({ headerName: 'x-request-id' });
  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await assignRequestId(c, next);
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  // Only requests that carry a body need the limit; reads skip the extra middleware layer.
  const limitBody = bodyLimit({
    maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413);
    },
  });
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  registerEventRoutes(api, deps);
  registerKeyRoutes(api, deps);
  if (deps.subscriptions) {
    // The confirm link's path sits under /v1/subscriptions, so it is registered before /{id}.
    registerLinkRoutes(api, { subscriptions: deps.subscriptions });
    registerSubscriptionRoutes(api, { ...deps, subscriptions: deps.subscriptions });
  }

  // Built on the first request, then kept: most Lambda instances never serve it.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= openApiDocument(api.specs, info, { bearer: bearerScheme });
    return c.json({ ...document, servers: [{ url: deps.publicUrl ?? new URL(c.req.url).origin }] });
  });
  app.get('/docs', (c) => c.html(docsPage('/openapi.json')));

  app.notFound((c) =>
    problemResponse(c, problem(404, 'not-found', `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    const { problem: body, headers, unexpected } = toProblem(error);
    if (unexpected) {
      deps.logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    }
    return problemResponse(c, body, headers);
  });
  return app;
}
