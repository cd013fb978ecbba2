/**
 * A webhook URL whose host does not resolve is the caller's input, not our failure: POST and PATCH
 * answer 422 problem+json naming `body.url` for every way a lookup fails, a lookup that never
 * answers included (bounded by the service's timeout). A resolver that breaks in any other way is
 * still a 500.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionService } from '../../shared/alerts/subscription-service.ts';
import type { Resolver } from '../../shared/delivery/ssrf-guard.ts';
import { createApp } from '../../shared/http/app.ts';
import type { AppEnv } from '../../shared/http/context.ts';
import { createLogger } from '../../shared/platform/logger.ts';
import { type AlertStack, bearer, json, PUBLIC_URL, startAlertStack } from '../support/alert-stack.ts';

const FAILURE_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'EAI_FAIL', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED'];
const RESOLVE_TIMEOUT_MS = 50;

/** `fail-<code>.example.org` fails with that code, `hang.example.org` never answers, `broken.example.org` throws a plain bug. */
const resolver: Resolver = (host) => {
  if (host === 'hooks.example.org') return Promise.resolve(['93.184.215.14']);
  if (host === 'hang.example.org') return new Promise<string[]>(() => {});
  if (host === 'broken.example.org') return Promise.reject(new TypeError('resolver bug'));
  const code = /^fail-([a-z_]+)\.example\.org$/.exec(host)?.[1]?.toUpperCase();
  const error = Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, hostname: host });
  return Promise.reject(error);
};

let stack: AlertStack;
let app: Hono<AppEnv>;
let writerKey: string;
const logged: string[] = [];

beforeAll(async () => {
  stack = await startAlertStack();
  const service = new SubscriptionService({
    subscriptions: stack.subscriptionRepository,
    deliveries: stack.deliveries,
    queue: stack.queue,
    deliver: { ...stack.deliver, resolve: resolver },
    resolveTimeoutMs: RESOLVE_TIMEOUT_MS,
  });
  app = createApp({
    events: stack.events,
    apiKeys: stack.apiKeys,
    tokenKey: stack.deliver.tokenKey,
    logger: createLogger({ service: 'test', write: (line) => logged.push(line) }),
    publicUrl: PUBLIC_URL,
    subscriptions: { service: async () => service },
  });
  writerKey = await stack.keyWith(['subscriptions:write']);
});
afterAll(async () => {
  await stack?.close();
});

const subscribe = (url: string) =>
  app.request('/v1/subscriptions', json('POST', { channel: 'webhook', url }, bearer(writerKey)));

async function expectUnresolvable(response: Response, host: string) {
  expect(response.status).toBe(422);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as {
    status: number;
    type: string;
    detail: string;
    errors: { path: string; message: string }[];
  };
  expect(problem).toMatchObject({ status: 422, type: '/problems/unsafe-target' });
  expect(problem.errors).toEqual([{ path: 'body.url', message: expect.stringContaining(host) }]);
  expect(problem.detail).toContain(host);
  return problem;
}

describe('POST /v1/subscriptions with a webhook host that does not resolve', () => {
  it.each(FAILURE_CODES)('answers a lookup failing with %s with 422 naming body.url', async (code) => {
    const host = `fail-${code.toLowerCase()}.example.org`;
    const problem = await expectUnresolvable(await subscribe(`https://${host}/hook`), host);
    expect(problem.detail).toMatch(/does not resolve|did not resolve/);
  });

  it('answers a lookup that never answers with 422 once the lookup timeout has passed', async () => {
    const started = performance.now();
    const problem = await expectUnresolvable(
      await subscribe('https://hang.example.org/hook'),
      'hang.example.org',
    );
    expect(problem.detail).toMatch(/did not resolve in time/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(RESOLVE_TIMEOUT_MS - 5);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('still answers 500, and logs it, when the resolver fails for another reason', async () => {
    const response = await subscribe('https://broken.example.org/hook');
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ status: 500, type: '/problems/internal-error' });
    expect(logged.some((line) => line.includes('unhandled error'))).toBe(true);
  });
});

describe('PATCH /v1/subscriptions/{id} to a webhook host that does not resolve', () => {
  let id: string;
  let token: string;

  beforeAll(async () => {
    const created = await subscribe('https://hooks.example.org/dateline');
    expect(created.status).toBe(201);
    ({ id, token } = (await created.json()) as { id: string; token: string });
  });

  const change = (url: string) =>
    app.request(`/v1/subscriptions/${id}`, json('PATCH', { url }, bearer(token)));

  it.each(FAILURE_CODES)('answers a lookup failing with %s with 422 and keeps the old url', async (code) => {
    const host = `fail-${code.toLowerCase()}.example.org`;
    await expectUnresolvable(await change(`https://${host}/hook`), host);
    const read = await app.request(`/v1/subscriptions/${id}`, { headers: bearer(token) });
    expect(await read.json()).toMatchObject({ url: 'https://hooks.example.org/dateline' });
  });

  it('answers a lookup that never answers with 422', async () => {
    await expectUnresolvable(await change('https://hang.example.org/hook'), 'hang.example.org');
  });

  it('still answers 500 when the resolver fails for another reason', async () => {
    expect((await change('https://broken.example.org/hook')).status).toBe(500);
  });
});

describe('the README webhook example against the default test DNS', () => {
  it('answers an unknown host with 422, not 500', async () => {
    const response = await stack.app.request(
      '/v1/subscriptions',
      json(
        'POST',
        { channel: 'webhook', url: 'https://hooks.nowhere.invalid/dateline', filter: { actors: ['KP'] } },
        bearer(writerKey),
      ),
    );
    await expectUnresolvable(response, 'hooks.nowhere.invalid');
  });
});

describe('the OpenAPI document', () => {
  it('lists 422 for POST /v1/subscriptions and PATCH /v1/subscriptions/{id}', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    expect(document.paths['/v1/subscriptions']!.post!.responses['422']!.description).toMatch(/resolve/);
    expect(document.paths['/v1/subscriptions/{id}']!.patch!.responses['422']!.description).toMatch(/resolve/);
  });
});
