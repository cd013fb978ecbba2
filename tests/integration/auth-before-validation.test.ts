/**
 * Protected routes check credentials before they look at the input: an unauthenticated (or
 * unauthorised) request with an invalid body, id, query or header gets 401 (403), and the problem
 * says nothing about fields. The public email subscription stays public and validates as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStack, alertEventInput, bearer, json, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
let eventId: string;
let subscriptionId: string;
let otherToken: string;
let eventsKey: string;
let writerKey: string;

const FORGED_KEY = `dl_abcdefabcdef_${'A'.repeat(43)}`;
const UNKNOWN_ULID = '01J1Z8Q4Y6V3W2X1A0B9C8D7E6';

beforeAll(async () => {
  stack = await startAlertStack();
  eventId = (await stack.events.create(alertEventInput())).event.id;
  [eventsKey, writerKey] = await Promise.all([
    stack.keyWith(['events:write']),
    stack.keyWith(['subscriptions:write']),
  ]);
  const subscribe = async () => {
    const response = await stack.app.request(
      '/v1/subscriptions',
      json('POST', { channel: 'webhook', url: 'https://hooks.example.org/dateline' }, bearer(writerKey)),
    );
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; token: string };
  };
  subscriptionId = (await subscribe()).id;
  otherToken = (await subscribe()).token;
});
afterAll(async () => {
  await stack?.close();
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);
const raw = (method: string, body: string, contentType: string, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': contentType, ...headers },
  body,
});

/** The answer is `status` problem+json that names no field, neither in `errors` nor in its text. */
async function expectRefusedBlind(response: Response, status: 401 | 403, fields: string[] = []) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const text = await response.text();
  const problem = JSON.parse(text) as { status: number; errors?: unknown };
  expect(problem.status).toBe(status);
  expect(problem.errors).toBeUndefined();
  expect(text).not.toMatch(/\b(body|params|query|headers)\.[a-z]/i);
  for (const field of fields) expect(text).not.toContain(field);
}

type Case = [name: string, send: () => Response | Promise<Response>, fields?: string[]];

describe('event writes check the key first', () => {
  const invalidEvent = { kind: 'coup', title: '', colour: 'red' };
  const cases: Case[] = [
    [
      'POST /v1/events with an invalid body',
      () => call('/v1/events', json('POST', invalidEvent)),
      ['colour', 'kind'],
    ],
    [
      'POST /v1/events with malformed JSON',
      () => call('/v1/events', raw('POST', '{"kind":', 'application/json')),
    ],
    [
      'POST /v1/events with an unsupported media type',
      () => call('/v1/events', raw('POST', 'x', 'text/plain')),
    ],
    [
      'POST /v1/events with an Idempotency-Key over 255 characters',
      () => call('/v1/events', json('POST', invalidEvent, { 'idempotency-key': 'k'.repeat(300) })),
      ['idempotency-key'],
    ],
    [
      'PATCH /v1/events/{id} with an invalid body and no If-Match',
      () => call(`/v1/events/${eventId}`, json('PATCH', { colour: 'red', kind: 'coup' })),
      ['colour', 'If-Match'],
    ],
    [
      'PATCH /v1/events/{id} with a malformed id and If-Match',
      () => call('/v1/events/nope', json('PATCH', { title: 'x' }, { 'if-match': 'yes' })),
      ['if-match'],
    ],
    [
      'DELETE /v1/events/{id} with a malformed id and If-Match',
      () => call('/v1/events/nope', { method: 'DELETE', headers: { 'if-match': 'yes' } }),
      ['if-match'],
    ],
    [
      'POST /v1/events with a forged key and an invalid body',
      () => call('/v1/events', json('POST', invalidEvent, bearer(FORGED_KEY))),
      ['colour'],
    ],
  ];
  it.each(cases)('answers %s with 401', async (_name, send, fields) => {
    await expectRefusedBlind(await send(), 401, fields);
  });

  it('answers a key without events:write and an invalid body with 403', async () => {
    await expectRefusedBlind(await call('/v1/events', json('POST', invalidEvent, bearer(writerKey))), 403, [
      'colour',
    ]);
  });

  it('still validates once the key is good', async () => {
    const response = await call('/v1/events', json('POST', invalidEvent, bearer(eventsKey)));
    expect(response.status).toBe(400);
  });
});

describe('POST /v1/subscriptions: webhooks check the key first, email stays public', () => {
  const invalidWebhook = { channel: 'webhook', url: 'hooks', colour: 'red', filter: { kinds: ['coup'] } };
  const cases: Case[] = [
    [
      'a webhook with an invalid body',
      () => call('/v1/subscriptions', json('POST', invalidWebhook)),
      ['colour', 'url', 'filter'],
    ],
    [
      'a webhook with nothing but its channel',
      () => call('/v1/subscriptions', json('POST', { channel: 'webhook' })),
      ['url'],
    ],
    [
      'a webhook with a forged key and an invalid body',
      () => call('/v1/subscriptions', json('POST', invalidWebhook, bearer(FORGED_KEY))),
      ['colour'],
    ],
    [
      'a webhook with a subscription token instead of a key',
      () => call('/v1/subscriptions', json('POST', invalidWebhook, bearer(otherToken))),
      ['colour'],
    ],
  ];
  it.each(cases)('answers %s without a valid key with 401', async (_name, send, fields) => {
    await expectRefusedBlind(await send(), 401, fields);
  });

  it('answers a webhook with a key lacking subscriptions:write and an invalid body with 403', async () => {
    await expectRefusedBlind(
      await call('/v1/subscriptions', json('POST', invalidWebhook, bearer(eventsKey))),
      403,
      ['colour'],
    );
  });

  it('validates a webhook once the key is good', async () => {
    const response = await call('/v1/subscriptions', json('POST', invalidWebhook, bearer(writerKey)));
    expect(response.status).toBe(400);
  });

  it('validates an email subscription without any key (it is public)', async () => {
    const response = await call('/v1/subscriptions', json('POST', { channel: 'email', address: 'nope' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: 'body.address' }] });
  });

  it('accepts an email subscription without any key', async () => {
    const response = await call(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address: 'auth-first@example.net' }),
    );
    expect(response.status).toBe(202);
  });

  it('answers malformed JSON, which names no channel, with 400 as before', async () => {
    const response = await call(
      '/v1/subscriptions',
      raw('POST', '{"channel": "webhook",', 'application/json'),
    );
    expect(response.status).toBe(400);
  });
});

describe('subscription management checks the token or admin key first', () => {
  const managed = (suffix: string, init?: RequestInit) =>
    call(`/v1/subscriptions/${subscriptionId}${suffix}`, init);
  const cases: Case[] = [
    ['GET with a malformed id', () => call('/v1/subscriptions/not-an-id')],
    [
      'PATCH with an invalid body',
      () => managed('', json('PATCH', { status: 'pending', colour: 'red' })),
      ['colour', 'pending'],
    ],
    ['PATCH with malformed JSON', () => managed('', raw('PATCH', '{"filter":', 'application/json'))],
    ['PATCH with an unsupported media type', () => managed('', raw('PATCH', 'x', 'text/plain'))],
    [
      'PATCH with another subscription’s token and an invalid body',
      () => managed('', json('PATCH', { colour: 'red' }, bearer(otherToken))),
      ['colour'],
    ],
    [
      'PATCH a malformed id',
      () => call('/v1/subscriptions/nope', json('PATCH', { colour: 'red' })),
      ['colour'],
    ],
    ['DELETE a malformed id', () => call('/v1/subscriptions/nope', { method: 'DELETE' })],
    ['POST …/test of a malformed id', () => call('/v1/subscriptions/nope/test', { method: 'POST' })],
    ['POST …/secret of a malformed id', () => call('/v1/subscriptions/nope/secret', { method: 'POST' })],
    [
      'GET …/deliveries with an invalid query',
      () => managed('/deliveries?limit=abc&before=x'),
      ['limit', 'before'],
    ],
    [
      'POST …/deliveries/{deliveryId}/retry with a malformed delivery id',
      () => managed('/deliveries/nope/retry', { method: 'POST' }),
      ['deliveryId'],
    ],
    [
      'GET …/deliveries with a forged key and an invalid query',
      () => managed('/deliveries?limit=abc', { headers: bearer(FORGED_KEY) }),
      ['limit'],
    ],
  ];
  it.each(cases)('answers %s with 401', async (_name, send, fields) => {
    await expectRefusedBlind(await send(), 401, fields);
  });

  it('answers a key without admin and an invalid body with 403', async () => {
    await expectRefusedBlind(await managed('', json('PATCH', { colour: 'red' }, bearer(writerKey))), 403, [
      'colour',
    ]);
  });

  it('validates once an admin key is good: a malformed id is 400, an unknown one 404', async () => {
    expect((await call('/v1/subscriptions/not-an-id', { headers: bearer(stack.adminKey) })).status).toBe(400);
    expect(
      (await call(`/v1/subscriptions/${UNKNOWN_ULID}`, { headers: bearer(stack.adminKey) })).status,
    ).toBe(404);
    const patched = await managed('', json('PATCH', { colour: 'red' }, bearer(stack.adminKey)));
    expect(patched.status).toBe(400);
    expect(await patched.text()).toContain('colour');
  });
});

describe('admin routes check the key first', () => {
  it('answers POST /v1/keys with an invalid body and no key with 401', async () => {
    await expectRefusedBlind(await call('/v1/keys', json('POST', { scopes: ['root'], colour: 'red' })), 401, [
      'scopes',
      'colour',
    ]);
  });
});
