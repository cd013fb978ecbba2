/**
 * The API's routes are routed before their code loads (shared/http/route-groups.ts): a request
 * loads its route's group only, once; a group that does not register what the table names for it
 * fails loudly; a failed load is tried again; access middleware runs before the handler.
 */
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { UnauthorizedError } from '../../shared/errors.ts';
import type { AppEnv } from '../../shared/http/context.ts';
import { toProblem } from '../../shared/http/problem.ts';
import type { ApiRoutes } from '../../shared/http/route.ts';
import { RouteGroups } from '../../shared/http/route-groups.ts';

function app() {
  const hono = new Hono<AppEnv>();
  hono.onError((error, c) => {
    const { problem } = toProblem(error);
    return c.json({ ...problem, message: error.message }, problem.status as 401);
  });
  return { hono, groups: new RouteGroups(hono) };
}

const things = (api: ApiRoutes) => {
  api.route({ method: 'get', path: '/v1/things', responses: { 200: { description: 'all' } } }, (c) =>
    c.json({ things: [] }),
  );
  api.route({ method: 'get', path: '/v1/things/{id}', responses: { 200: { description: 'one' } } }, (c) =>
    c.json({ id: c.req.param('id') }),
  );
};
const others = (api: ApiRoutes) => {
  api.route({ method: 'post', path: '/v1/others', responses: { 201: { description: 'made' } } }, (c) =>
    c.json({}, 201),
  );
};

describe('route groups', () => {
  it('load the group of the route asked for, once, and no other', async () => {
    const { hono, groups } = app();
    const loadThings = vi.fn(async (api: ApiRoutes) => things(api));
    const loadOthers = vi.fn(async (api: ApiRoutes) => others(api));
    groups.group(['GET /v1/things', 'GET /v1/things/{id}'], loadThings);
    groups.group(['POST /v1/others'], loadOthers);
    expect(loadThings).not.toHaveBeenCalled();

    expect(await (await hono.request('/v1/things/42')).json()).toEqual({ id: '42' });
    expect(await (await hono.request('/v1/things')).json()).toEqual({ things: [] });
    expect(loadThings).toHaveBeenCalledTimes(1);
    expect(loadOthers).not.toHaveBeenCalled();
    // Routed before loading: an unknown path or method is not a group's.
    expect((await hono.request('/v1/nothing')).status).toBe(404);
    expect(loadOthers).not.toHaveBeenCalled();
  });

  it('list every spec in the groups’ order, whichever loaded first', async () => {
    const { hono, groups } = app();
    groups.group(['GET /v1/things', 'GET /v1/things/{id}'], async (api) => things(api));
    groups.group(['POST /v1/others'], async (api) => others(api));
    await hono.request('/v1/others', { method: 'POST' });
    const specs = await groups.specs();
    expect(specs.map((spec) => `${spec.method} ${spec.path}`)).toEqual([
      'get /v1/things',
      'get /v1/things/{id}',
      'post /v1/others',
    ]);
  });

  it('refuse a group that registers other routes than the table names, saying which', async () => {
    const { hono, groups } = app();
    groups.group(['GET /v1/things'], async (api) => things(api));
    const response = await hono.request('/v1/things');
    expect(response.status).toBe(500);
    await expect(groups.specs()).rejects.toThrow(
      'route table out of date: the group registers [GET /v1/things, GET /v1/things/{id}] but the table names [GET /v1/things]',
    );
  });

  it('try a failed load again on the next request', async () => {
    const { hono, groups } = app();
    let attempts = 0;
    groups.group(['POST /v1/others'], async (api) => {
      attempts += 1;
      if (attempts === 1) throw new Error('chunk could not be read');
      others(api);
    });
    expect((await hono.request('/v1/others', { method: 'POST' })).status).toBe(500);
    expect((await hono.request('/v1/others', { method: 'POST' })).status).toBe(201);
    expect(attempts).toBe(2);
  });

  it('run a route’s access middleware first: it refuses, answers itself or lets the handler answer', async () => {
    const { hono, groups } = app();
    const handler = vi.fn((c) => c.json({ answered: 'handler' }));
    groups.group(['GET /v1/gated'], async (api) => {
      api.route(
        {
          method: 'get',
          path: '/v1/gated',
          responses: { 200: { description: 'ok' } },
          middleware: [
            async (c, next) => {
              const key = c.req.header('x-key');
              if (!key) throw new UnauthorizedError('no key');
              if (key === 'early') return c.json({ answered: 'middleware' });
              await next();
            },
          ],
        },
        handler,
      );
    });
    expect((await hono.request('/v1/gated')).status).toBe(401);
    expect(await (await hono.request('/v1/gated', { headers: { 'x-key': 'early' } })).json()).toEqual({
      answered: 'middleware',
    });
    expect(handler).not.toHaveBeenCalled();
    expect(await (await hono.request('/v1/gated', { headers: { 'x-key': 'k' } })).json()).toEqual({
      answered: 'handler',
    });
  });
});
