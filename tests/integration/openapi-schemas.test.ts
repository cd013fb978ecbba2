/**
 * Request schemas are built on a route's first request, not when the app is created (building all
 * of them cost every cold start several milliseconds), and the OpenAPI document comes out the same
 * whichever routes happened to build theirs first. This file runs in its own module graph, so the
 * schema modules start unbuilt here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedSchemas } from '../../shared/http/schema-meta.ts';
import { type AlertStack, json, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;

beforeAll(async () => {
  stack = await startAlertStack();
});

afterAll(async () => {
  await stack.close();
});

const built = () => [...namedSchemas.values()].sort();

describe('schemas built on first use', () => {
  it('are not built by creating the app; a request builds only the schemas of its route', async () => {
    expect(built()).toEqual([]);

    const refused = await stack.app.request('/v1/subscriptions', json('POST', { channel: 'email' }));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(built()).toEqual(['CreateSubscription', 'ReplayRange', 'SubscriptionFilter']);

    const page = await stack.app.request('/v1/events?limit=2');
    expect(page.status).toBe(200);
    expect(built()).toEqual(['CreateSubscription', 'ReplayRange', 'SubscriptionFilter']);
  });

  it('validates with the built schemas from then on: the same request is refused the same way twice', async () => {
    const bodies = [];
    for (let i = 0; i < 2; i++) {
      const response = await stack.app.request('/v1/events?limit=0');
      expect(response.status).toBe(400);
      bodies.push(await response.json());
    }
    expect(bodies[0]).toMatchObject({ status: 400, errors: [{ path: 'query.limit' }] });
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('/openapi.json builds the rest and lists every component, by name', async () => {
    const response = await stack.app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { components: { schemas: Record<string, unknown> } };
    const names = Object.keys(document.components.schemas);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(built());
    expect(names).toEqual(
      expect.arrayContaining(['Event', 'EventInput', 'Problem', 'Subscription', 'Delivery']),
    );
  });
});
