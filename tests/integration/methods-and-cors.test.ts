import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsFor } from '../../infra/constructs/api.ts';
import { createApp } from '../../shared/http/app.ts';
import type { AppEnv } from '../../shared/http/context.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import { eventInput } from '../fixtures/events.ts';
import {
  bearer,
  jsonRequest,
  silentLogger,
  startTestStack,
  TEST_TOKEN_KEY,
  type TestStack,
} from '../support/test-app.ts';

// Every answer is the API's: 405 with Allow for a known path, OPTIONS, and CORS as on AWS.

let stack: TestStack;
let corsApp: Hono<AppEnv>;
let eventId: string;

beforeAll(async () => {
  stack = await startTestStack();
  corsApp = createApp(
    {
      events: stack.events,
      apiKeys: stack.apiKeys,
      tokenKey: async () => TEST_TOKEN_KEY,
      logger: silentLogger,
    },
    { corsOrigins: [] },
  );
  const created = await stack.app.request(
    '/v1/events',
    jsonRequest('POST', eventInput({ tags: ['methods'] }), bearer(stack.writerKey)),
  );
  eventId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await stack?.close();
});

describe('405 Method Not Allowed', () => {
  it.each([
    ['PUT', '/v1/events', 'GET, HEAD, POST, OPTIONS'],
    ['DELETE', '/v1/events', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/v1/events/{id}', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
    ['PUT', '/v1/events/{id}', 'GET, HEAD, PATCH, DELETE, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/openapi.json', 'GET, HEAD, OPTIONS'],
    ['PROPFIND', '/v1/events', 'GET, HEAD, POST, OPTIONS'],
  ])('answers %s %s with 405, problem+json and Allow: %s', async (method, path, allow) => {
    const response = await stack.app.request(path.replace('{id}', eventId), { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: '/problems/method-not-allowed',
      title: 'Method Not Allowed',
      status: 405,
    });
  });

  it('answers 405 for a path with a malformed id too: the path is still a known one', async () => {
    const response = await stack.app.request('/v1/events/nope', { method: 'PUT' });
    expect(response.status).toBe(405);
  });

  it('keeps 404 for an unknown path, whatever the method', async () => {
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const response = await stack.app.request('/v1/nothing-here', { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('allow')).toBeNull();
    }
  });

  it('leaves the methods a path has alone', async () => {
    expect((await stack.app.request(`/v1/events/${eventId}`)).status).toBe(200);
    expect((await stack.app.request('/healthz', { method: 'HEAD' })).status).toBe(200);
  });
});

describe('OPTIONS', () => {
  it('answers 204 with Allow on a known path', async () => {
    const response = await stack.app.request(`/v1/events/${eventId}`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
    expect(await response.text()).toBe('');
  });

  it('answers a plain OPTIONS (no preflight) with Allow when CORS is on too', async () => {
    const response = await corsApp.request('/v1/events', { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });
});

describe('CORS as the stack configures it with no corsOrigins', () => {
  const preflight = (path: string, method: string, headers = 'if-none-match') =>
    corsApp.request(path, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.org',
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });

  it('uses the policy infra gives API Gateway', () => {
    const infra = corsFor([]);
    const local = corsPolicy([]);
    expect(local.origins).toEqual(infra.allowOrigins);
    expect(local.methods).toEqual(infra.allowMethods?.map(String));
    expect(local.allowHeaders).toEqual(infra.allowHeaders);
    expect(local.exposeHeaders).toEqual(infra.exposeHeaders);
    expect(local.maxAgeSeconds).toBe(infra.maxAge?.toSeconds());
    const listed = corsFor(['https://a.example']);
    expect(corsPolicy(['https://a.example'])).toEqual({
      origins: listed.allowOrigins,
      methods: listed.allowMethods?.map(String),
      allowHeaders: listed.allowHeaders,
      exposeHeaders: listed.exposeHeaders,
      maxAgeSeconds: listed.maxAge?.toSeconds(),
    });
  });

  it('answers a preflight for a GET of the timeline from any origin', async () => {
    const response = await preflight('/v1/events', 'GET');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,HEAD,OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type,if-modified-since,if-none-match',
    );
    expect(response.headers.get('access-control-max-age')).toBe('3600');
  });

  it('offers only GET, HEAD and OPTIONS to a preflight for a write', async () => {
    const response = await preflight(`/v1/events/${eventId}`, 'PATCH', 'authorization,if-match');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,HEAD,OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'content-type,if-modified-since,if-none-match',
    );
  });

  it('lets any origin read the timeline and its ETag', async () => {
    const response = await corsApp.request('/v1/events', { headers: { origin: 'https://example.org' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('etag,last-modified,link,retry-after');
  });

  it('lets a page on another origin follow an export’s next page and revalidate a feed', async () => {
    const origin = { origin: 'https://example.org' };
    const second = await stack.app.request(
      '/v1/events',
      jsonRequest(
        'POST',
        eventInput({ title: 'A second event', date: '2024-06-16' }),
        bearer(stack.writerKey),
      ),
    );
    expect(second.status).toBe(201);
    const exported = await corsApp.request('/v1/timeline.json?limit=1', { headers: origin });
    expect(exported.headers.get('link')).toMatch(/rel="next"/);
    expect(exported.headers.get('access-control-expose-headers')?.split(',')).toContain('link');
    const feed = await corsApp.request('/v1/feeds/events.atom', { headers: origin });
    const lastModified = feed.headers.get('last-modified')!;
    expect(feed.headers.get('access-control-expose-headers')?.split(',')).toContain('last-modified');
    const preflight = await corsApp.request('/v1/feeds/events.atom', {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'if-modified-since',
      },
    });
    expect(preflight.headers.get('access-control-allow-headers')?.split(',')).toContain('if-modified-since');
    const again = await corsApp.request('/v1/feeds/events.atom', {
      headers: { ...origin, 'if-modified-since': lastModified },
    });
    expect(again.status).toBe(304);
  });

  it('is off in the app unless asked for (API Gateway does it on AWS)', async () => {
    const response = await stack.app.request('/v1/events', { headers: { origin: 'https://example.org' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
