import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertStack,
  alertEventInput,
  bearer,
  confirmThroughPage,
  json,
  linkIn,
  startAlertStack,
} from '../support/alert-stack.ts';

let stack: AlertStack;
let writerKey: string;
let eventsKey: string;

beforeAll(async () => {
  stack = await startAlertStack();
  [writerKey, eventsKey] = await Promise.all([
    stack.keyWith(['subscriptions:write']),
    stack.keyWith(['events:write']),
  ]);
});
afterAll(async () => {
  await stack?.close();
});

const call = (path: string, init?: RequestInit) => stack.app.request(path, init);

async function subscribeWebhook(body: Record<string, unknown> = {}) {
  const response = await call(
    '/v1/subscriptions',
    json(
      'POST',
      { channel: 'webhook', url: 'https://hooks.example.org/dateline', ...body },
      bearer(writerKey),
    ),
  );
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; secret: string; token: string; status: string };
}

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as { type: string; title: string; status: number; detail?: string };
  expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  return problem as typeof problem & { errors?: { path: string; message: string }[] };
}

describe('POST /v1/subscriptions by email', () => {
  it('is open to anyone and answers 202 with a pending subscription', async () => {
    const response = await call(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address: 'open@example.net', filter: { actors: ['kp'] } }),
    );
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body).toMatchObject({
      channel: 'email',
      address: 'open@example.net',
      status: 'pending',
      types: ['event.created'],
      filter: { kinds: [], actors: ['KP'], tags: [] },
    });
    expect(body).not.toHaveProperty('token');
    expect(body).not.toHaveProperty('secret');
  });

  it('sends a confirmation mail and nothing else until the address is confirmed', async () => {
    const address = 'unconfirmed@example.net';
    await call(
      '/v1/subscriptions',
      json('POST', { channel: 'email', address, filter: { tags: ['unconfirmed'] } }),
    );
    await stack.events.create(alertEventInput({ tags: ['unconfirmed'] }));

    await stack.settle();

    const mails = stack.memoryMail.to(address);
    expect(mails.map((mail) => mail.subject)).toEqual(['[Dateline] Confirm your alert subscription']);
    expect(linkIn(mails[0]!.text, '/v1/subscriptions/confirm')).toMatch(/\?token=/);
  });

  it('becomes active through the Confirm button of the page the confirmation link opens', async () => {
    const address = 'confirming@example.net';
    const created = await call('/v1/subscriptions', json('POST', { channel: 'email', address }));
    const { id } = (await created.json()) as { id: string };
    await stack.settle();
    const link = linkIn(stack.memoryMail.to(address)[0]!.text, '/v1/subscriptions/confirm');

    const page = await confirmThroughPage(call, link);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Subscription confirmed');
    const read = await call(`/v1/subscriptions/${id}`, { headers: bearer(stack.adminKey) });
    expect(await read.json()).toMatchObject({ id, status: 'active' });
  });

  it('answers a not-found page for a forged confirmation link', async () => {
    const page = await call('/v1/subscriptions/confirm?token=Y29uZmlybS4wMUoxLjA.forged');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('POST /v1/subscriptions by webhook', () => {
  const body = { channel: 'webhook', url: 'https://hooks.example.org/dateline' };

  it('refuses a request without an API key with 401', async () => {
    await expectProblem(await call('/v1/subscriptions', json('POST', body)), 401);
  });

  it('refuses an unknown API key with 401', async () => {
    const forged = `dl_abcdefabcdef_${'A'.repeat(43)}`;
    await expectProblem(await call('/v1/subscriptions', json('POST', body, bearer(forged))), 401);
  });

  it('refuses a key without subscriptions:write with 403', async () => {
    await expectProblem(await call('/v1/subscriptions', json('POST', body, bearer(eventsKey))), 403);
  });

  it('answers 201 with the signing secret and the management token, shown once', async () => {
    const response = await call('/v1/subscriptions', json('POST', body, bearer(writerKey)));
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = (await response.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ channel: 'webhook', status: 'active', url: body.url });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created.token).toMatch(new RegExp(`^dls_${created.id}_`));
    expect(response.headers.get('location')).toBe(`http://dateline.test/v1/subscriptions/${created.id}`);

    const read = await call(`/v1/subscriptions/${created.id}`, { headers: bearer(created.token as string) });
    const shown = JSON.stringify(await read.json());
    expect(shown).not.toContain(created.secret as string);
    expect(shown).not.toContain(created.token as string);
    for (const hidden of ['secret', 'secrets', 'token', 'tokenHash'])
      expect(shown).not.toContain(`"${hidden}"`);
  });
});

describe('GET, PATCH and DELETE /v1/subscriptions/{id}', () => {
  it('answers the subscription to its own token and to an admin key', async () => {
    const { id, token } = await subscribeWebhook();
    for (const key of [token, stack.adminKey]) {
      const response = await call(`/v1/subscriptions/${id}`, { headers: bearer(key) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id, status: 'active' });
    }
  });

  it("refuses another subscription's token, a non-admin key and no credentials", async () => {
    const mine = await subscribeWebhook();
    const other = await subscribeWebhook();
    const path = `/v1/subscriptions/${mine.id}`;
    await expectProblem(await call(path, { headers: bearer(other.token) }), 401);
    await expectProblem(await call(path, { headers: bearer(writerKey) }), 403);
    await expectProblem(await call(path), 401);
    await expectProblem(
      await call(path, json('PATCH', { types: ['event.deleted'] }, bearer(other.token))),
      401,
    );
    await expectProblem(await call(path, { method: 'DELETE', headers: bearer(writerKey) }), 403);
    const unchanged = await call(path, { headers: bearer(mine.token) });
    expect(await unchanged.json()).toMatchObject({ status: 'active', types: ['event.created'] });
  });

  it('answers 404 to an admin asking for a subscription that does not exist', async () => {
    await expectProblem(
      await call('/v1/subscriptions/01J1AB2CD3EF4GH5JK6MN7PQ8R', { headers: bearer(stack.adminKey) }),
      404,
    );
  });

  it('changes filter, types and url with the token', async () => {
    const { id, token } = await subscribeWebhook();
    const changes = {
      filter: { kinds: ['resolution'], actors: ['ru', 'China'], tags: ['Arms Embargo'] },
      types: ['event.updated', 'event.deleted'],
      url: 'https://hooks.example.org/other',
    };
    const response = await call(`/v1/subscriptions/${id}`, json('PATCH', changes, bearer(token)));
    expect(response.status).toBe(200);
    const expected = {
      filter: { kinds: ['resolution'], actors: ['RU', 'china'], tags: ['arms-embargo'] },
      types: ['event.updated', 'event.deleted'],
      url: 'https://hooks.example.org/other',
    };
    expect(await response.json()).toMatchObject(expected);
    expect(await (await call(`/v1/subscriptions/${id}`, { headers: bearer(token) })).json()).toMatchObject(
      expected,
    );
  });

  it('unsubscribes with DELETE, after which the subscription reads as unsubscribed', async () => {
    const { id, token } = await subscribeWebhook();
    const response = await call(`/v1/subscriptions/${id}`, { method: 'DELETE', headers: bearer(token) });
    expect(response.status).toBe(204);
    const read = await call(`/v1/subscriptions/${id}`, { headers: bearer(stack.adminKey) });
    expect(await read.json()).toMatchObject({ status: 'unsubscribed' });
  });
});

describe('webhook targets', () => {
  it.each([
    ['a private address', 'https://10.0.0.1/x'],
    ['plain http', 'http://example.com/hook'],
    ['credentials in the URL', 'https://user:pw@hooks.example.org/x'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['a name that resolves to a private address', 'https://internal.example.org/x'],
    ['a name that does not resolve', 'https://nowhere.invalid/x'],
  ])('refuses %s with 422', async (_what, url) => {
    const response = await call(
      '/v1/subscriptions',
      json('POST', { channel: 'webhook', url }, bearer(writerKey)),
    );
    const problem = await expectProblem(response, 422);
    expect(problem.errors?.[0]?.path).toBe('body.url');
  });

  it('refuses a change of url to a private address with 422', async () => {
    const { id, token } = await subscribeWebhook();
    const response = await call(
      `/v1/subscriptions/${id}`,
      json('PATCH', { url: 'https://10.0.0.1/x' }, bearer(token)),
    );
    await expectProblem(response, 422);
    const read = await call(`/v1/subscriptions/${id}`, { headers: bearer(token) });
    expect(await read.json()).toMatchObject({ url: 'https://hooks.example.org/dateline' });
  });
});

describe('bad input', () => {
  const webhook = { channel: 'webhook', url: 'https://hooks.example.org/dateline' };
  it.each([
    ['an unknown kind in the filter', { ...webhook, filter: { kinds: ['coup'] } }],
    ['an unknown filter dimension', { ...webhook, filter: { places: ['Kharkiv'] } }],
    ['a bad email address', { channel: 'email', address: 'not-an-address' }],
    ['types outside the enum', { ...webhook, types: ['event.viewed'] }],
    ['no types at all', { ...webhook, types: [] }],
    ['an unknown field', { ...webhook, colour: 'red' }],
    ['an unknown channel', { channel: 'pigeon', address: 'loft@example.net' }],
    ['no channel', { url: 'https://hooks.example.org/dateline' }],
    ['a url that is no URL', { ...webhook, url: 'hooks' }],
    ['a filter that is no object', { ...webhook, filter: 'KP' }],
    ['malformed JSON', '{"channel": "email",'],
  ])('answers %s with 400 problem+json', async (_what, body) => {
    const response = await call('/v1/subscriptions', json('POST', body, bearer(writerKey)));
    await expectProblem(response, 400);
  });

  it('answers an id that is no subscription id with 400', async () => {
    await expectProblem(await call('/v1/subscriptions/not-an-id', { headers: bearer(stack.adminKey) }), 400);
  });

  it('answers unknown fields in a change with 400', async () => {
    const { id, token } = await subscribeWebhook();
    await expectProblem(
      await call(`/v1/subscriptions/${id}`, json('PATCH', { status: 'pending' }, bearer(token))),
      400,
    );
    await expectProblem(
      await call(`/v1/subscriptions/${id}`, json('PATCH', { secret: 'x' }, bearer(token))),
      400,
    );
  });
});
