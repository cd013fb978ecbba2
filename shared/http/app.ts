import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { onceRetrying } from '../platform/once-retrying.ts';
import { negotiatedProblem, registerPages } from '../web/register-pages.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { corsPolicy } from './cors.ts';
import { problem, toProblem } from './problem.ts';
import { RouteGroups } from './route-groups.ts';
import { ROUTE_TABLE } from './route-table.ts';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface AppOptions {
  /**
   * Answer CORS in the app, as API Gateway does on AWS (there the gateway answers preflights and
   * sets the CORS headers, so the Lambda's app leaves this unset). The origins, as `corsOrigins`.
   */
  corsOrigins?: string[];
}

/** The Dateline HTTP API: the same Hono app behind API Gateway and on `npm start`. */
export function createApp(deps: AppDeps, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const routes = new RouteGroups(app);

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
  if (options.corsOrigins) {
    const policy = corsPolicy(options.corsOrigins);
    const answerCors = cors({
      origin: policy.origins.length === 1 ? policy.origins[0]! : policy.origins,
      allowMethods: policy.methods,
      allowHeaders: policy.allowHeaders,
      exposeHeaders: policy.exposeHeaders,
      maxAge: policy.maxAgeSeconds,
    });
    // A preflight is OPTIONS with Access-Control-Request-Method; any other OPTIONS is answered
    // by the routes (204 with Allow), which the CORS middleware would answer as a preflight.
    app.use((c, next) =>
      c.req.method === 'OPTIONS' && !c.req.header('access-control-request-method')
        ? next()
        : answerCors(c, next),
    );
  }
  // Only requests that carry a body need the limit; reads skip the extra middleware layer.
  const limitBody = bodyLimit({
    maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413);
    },
  });
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Each group's code loads on the first request one of its routes gets (route-groups.ts).
  routes.group(ROUTE_TABLE.events, async (api) =>
    (await import('./event-routes.ts')).registerEventRoutes(api, deps),
  );
  routes.group(ROUTE_TABLE.feeds, async (api) =>
    (await import('./feed-routes.ts')).registerFeedRoutes(api, deps),
  );
  routes.group(ROUTE_TABLE.changes, async (api) =>
    (await import('./change-routes.ts')).registerChangeRoutes(api, deps),
  );
  routes.group(ROUTE_TABLE.keys, async (api) =>
    (await import('./key-routes.ts')).registerKeyRoutes(api, deps),
  );
  // The pages (loaded on their first request), and the mail links' pages: their path sits under
  // /v1/subscriptions, so they are routed before /{id}. Errors below are pages for browsers.
  registerPages(app, routes, deps);
  if (deps.subscriptions) {
    const withSubscriptions = { ...deps, subscriptions: deps.subscriptions };
    routes.group(ROUTE_TABLE.subscriptions, async (api) =>
      (await import('./subscription-routes.ts')).registerSubscriptionRoutes(api, withSubscriptions),
    );
    routes.group(ROUTE_TABLE.subscriptionAdmin, async (api) =>
      (await import('./subscription-admin-routes.ts')).registerSubscriptionAdminRoutes(
        api,
        withSubscriptions,
      ),
    );
  }

  // Built on the first request, then kept: most Lambda instances never serve it, so its modules
  // (the builder, the API's description, the examples and the seed they come from) load only then.
  const document = onceRetrying(async () => {
    const [specs, { openApiDocument: build }, { documentInfo, securitySchemes }, { documentExamples }] =
      await Promise.all([
        routes.specs(),
        import('./openapi-document.ts'),
        import('./openapi-info.ts'),
        import('./openapi-examples.ts'),
      ]);
    return build(specs, documentInfo, securitySchemes, documentExamples);
  });
  app.get('/openapi.json', async (c) => {
    // The origin the document was asked from comes first: /docs's Try it out then stays on the
    // page's own origin (its CSP and CORS), whatever DATELINE_PUBLIC_URL names.
    const here = new URL(c.req.url).origin;
    const servers = [
      here,
      ...(deps.publicUrl && new URL(deps.publicUrl).origin !== here ? [deps.publicUrl] : []),
    ];
    return c.json({ ...(await document()), servers: servers.map((url) => ({ url })) });
  });
  // The API reference (Swagger UI over /openapi.json); its page and assets load on first request.
  app.get('/docs', async (c) => (await import('./docs-page.ts')).docsPageResponse(c, deps.publicUrl));
  app.get('/docs/assets/:name', async (c) => (await import('./docs-page.ts')).docsAssetResponse(c));

  // A known path asked with a method it has no route for: 405 with Allow, or for OPTIONS the
  // methods it has (RFC 9110 §9.3.7, §15.5.6). The route table is read on the first such request.
  let allowedOn: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    allowedOn ??= allowedMethods(app);
    const allowed = allowedOn(c.req.path);
    if (allowed.length === 0) {
      return negotiatedProblem(c, problem(404, 'not-found', `No route for ${c.req.method} ${c.req.path}`));
    }
    const allow = allowed.join(', ');
    if (c.req.method === 'OPTIONS') return c.body(null, 204, { allow });
    return negotiatedProblem(
      c,
      problem(
        405,
        'method-not-allowed',
        `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`,
      ),
      { allow },
    );
  });
  app.onError((error, c) => {
    const { problem: body, headers, unexpected } = toProblem(error);
    if (unexpected) {
      deps.logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    }
    return negotiatedProblem(c, body, headers);
  });
  return app;
}

/** For each path, the methods the app has routes for (HEAD with GET, and OPTIONS); none when unknown. */
function allowedMethods(app: Hono<AppEnv>): (path: string) => string[] {
  const byPattern = new Map<string, Set<string>>();
  for (const route of app.routes) {
    // Middleware (`ALL`, or on `*`) does not make a path known.
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const methods = byPattern.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    byPattern.set(route.path, methods);
  }
  const patterns = [...byPattern].map(([path, methods]) => {
    const source = path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return { pattern: new RegExp(`^${source}$`), methods };
  });
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return (path) => {
    const methods = new Set<string>();
    for (const { pattern, methods: those } of patterns) {
      if (pattern.test(path)) for (const method of those) methods.add(method);
    }
    if (methods.size === 0) return [];
    methods.add('OPTIONS');
    return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  };
}
