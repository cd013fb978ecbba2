/**
 * Every status the API answers is in the OpenAPI document: each is provoked on a real operation,
 * and the document must list it for that operation (or, for 405, among its shared responses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventInput } from '../fixtures/events.ts';
import { type AlertStack, startAlertStack } from '../support/alert-stack.ts';

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
  components: { responses: Record<string, { headers?: Record<string, unknown> }> };
}

let stack: AlertStack;
let document: OpenApi;
let eventId: string;

beforeAll(async () => {
  stack = await startAlertStack();
  document = (await (await stack.app.request('/openapi.json')).json()) as OpenApi;
  const created = await request('/v1/events', 'POST', eventInput());
  eventId = ((await created.json()) as { id: string }).id;
});
afterAll(async () => {
  await stack.close();
});

function request(path: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  return stack.app.request(path, {
    method,
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

const listed = (path: string, method: string) => Object.keys(document.paths[path]![method]!.responses);

/** The answer has the status, and the document lists it for the operation. */
async function expectDocumented(
  answer: Response | Promise<Response>,
  status: number,
  path: string,
  method: string,
) {
  const response = await answer;
  expect(response.status, await response.clone().text()).toBe(status);
  if (status >= 400) expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(listed(path, method), `${method} ${path}`).toContain(String(status));
}

/** The headers the document lists for a response, lower-cased. */
const headersOf = (path: string, method: string, status: number) =>
  Object.keys(document.paths[path]![method]!.responses[status]?.headers ?? {}).map((name) =>
    name.toLowerCase(),
  );

describe('the headers a response carries are documented with it', () => {
  it('Location and ETag on a created event, ETag on a read, WWW-Authenticate on 401, Retry-After on 429', async () => {
    const created = await request('/v1/events', 'POST', eventInput());
    for (const name of ['location', 'etag']) {
      expect(created.headers.get(name), name).toBeTruthy();
      expect(headersOf('/v1/events', 'post', 201)).toContain(name);
    }
    expect(headersOf('/v1/events/{id}', 'get', 200)).toContain('etag');
    expect(headersOf('/v1/events', 'get', 200)).toContain('etag');
    const anonymous = await request('/v1/events', 'POST', eventInput(), { authorization: '' });
    expect(anonymous.headers.get('www-authenticate')).toBeTruthy();
    expect(headersOf('/v1/events', 'post', 401)).toContain('www-authenticate');
    expect(headersOf('/v1/subscriptions', 'post', 429)).toContain('retry-after');
  });
});

describe('every status the API answers is documented for its operation', () => {
  it('304 for a read whose ETag is current', async () => {
    const one = await request(`/v1/events/${eventId}`, 'GET');
    await expectDocumented(
      request(`/v1/events/${eventId}`, 'GET', undefined, { 'if-none-match': one.headers.get('etag')! }),
      304,
      '/v1/events/{id}',
      'get',
    );
    const page = await request('/v1/events', 'GET');
    await expectDocumented(
      request('/v1/events', 'GET', undefined, { 'if-none-match': page.headers.get('etag')! }),
      304,
      '/v1/events',
      'get',
    );
  });

  it('412 and 428 for a patch without a current If-Match', async () => {
    const patch = (headers: Record<string, string>) =>
      request(`/v1/events/${eventId}`, 'PATCH', { title: 'Changed' }, headers);
    await expectDocumented(patch({ 'if-match': '"v99"' }), 412, '/v1/events/{id}', 'patch');
    await expectDocumented(patch({}), 428, '/v1/events/{id}', 'patch');
  });

  it('413 and 415 for a body too large or of another media type; 400 for malformed JSON', async () => {
    const huge = eventInput({ summary: 'x'.repeat(70 * 1024) });
    await expectDocumented(request('/v1/events', 'POST', huge), 413, '/v1/events', 'post');
    await expectDocumented(
      request('/v1/events', 'POST', 'kind=statement', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      '/v1/events',
      'post',
    );
    await expectDocumented(request('/v1/events', 'POST', '{"kind":'), 400, '/v1/events', 'post');
  });

  it('401, 403 and 404', async () => {
    await expectDocumented(
      request('/v1/events', 'POST', eventInput(), { authorization: '' }),
      401,
      '/v1/events',
      'post',
    );
    const writer = await stack.keyWith(['events:write']);
    await expectDocumented(
      request('/v1/keys', 'POST', { scopes: ['admin'] }, { authorization: `Bearer ${writer}` }),
      403,
      '/v1/keys',
      'post',
    );
    await expectDocumented(
      request('/v1/events/01J1Z8Q4Y6V3W2X1A0B9C8D7E6', 'GET'),
      404,
      '/v1/events/{id}',
      'get',
    );
  });

  it('422 for an Idempotency-Key reused with another body, and for a webhook to a private address', async () => {
    const key = { 'idempotency-key': 'statuses-test' };
    await request('/v1/events', 'POST', eventInput(), key);
    await expectDocumented(
      request('/v1/events', 'POST', eventInput({ title: 'Another' }), key),
      422,
      '/v1/events',
      'post',
    );
    await expectDocumented(
      request('/v1/subscriptions', 'POST', { channel: 'webhook', url: 'https://internal.example.org/hook' }),
      422,
      '/v1/subscriptions',
      'post',
    );
  });

  it('409 for a change to a subscription that was unsubscribed', async () => {
    const made = await request('/v1/subscriptions', 'POST', {
      channel: 'webhook',
      url: 'https://hooks.example.org/x',
    });
    const { id } = (await made.json()) as { id: string };
    await expectDocumented(
      request(`/v1/subscriptions/${id}`, 'DELETE'),
      204,
      '/v1/subscriptions/{id}',
      'delete',
    );
    await expectDocumented(
      request(`/v1/subscriptions/${id}`, 'PATCH', { types: ['event.deleted'] }),
      409,
      '/v1/subscriptions/{id}',
      'patch',
    );
  });

  it('429 for too many confirmation mails to one address', async () => {
    const subscribe = () =>
      request('/v1/subscriptions', 'POST', { channel: 'email', address: 'many@example.org' });
    let last = await subscribe();
    for (let i = 0; i < 10 && last.status === 202; i++) last = await subscribe();
    await expectDocumented(last, 429, '/v1/subscriptions', 'post');
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('405 with Allow for a method a path has no operation for, among the shared responses', async () => {
    const response = await request('/v1/events', 'PUT', eventInput());
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(document.components.responses.MethodNotAllowed?.headers).toHaveProperty('Allow');
    expect(Object.keys(document.paths['/v1/events']!)).not.toContain('put');
  });
});
