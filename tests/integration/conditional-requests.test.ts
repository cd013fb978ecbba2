import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput } from '../fixtures/events.ts';
import { bearer, eventsPath, jsonRequest, startTestStack, type TestStack } from '../support/test-app.ts';

// Conditional requests per RFC 9110 §13, through the app.

let stack: TestStack;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

const uniqueTag = () => `cond-${++counter}-${Date.now().toString(36)}`;

async function createEvent(tag = uniqueTag()): Promise<TimelineEvent> {
  const response = await stack.app.request(
    '/v1/events',
    jsonRequest('POST', eventInput({ tags: [tag] }), bearer(stack.writerKey)),
  );
  expect(response.status).toBe(201);
  return (await response.json()) as TimelineEvent;
}

const patch = (id: string, headers: Record<string, string>, body: unknown = { title: 'Changed' }) =>
  Promise.resolve(
    stack.app.request(
      `/v1/events/${id}`,
      jsonRequest('PATCH', body, { ...bearer(stack.writerKey), ...headers }),
    ),
  );
const remove = (id: string, headers: Record<string, string>) =>
  Promise.resolve(
    stack.app.request(`/v1/events/${id}`, {
      method: 'DELETE',
      headers: { ...bearer(stack.writerKey), ...headers },
    }),
  );
const get = (path: string, headers: Record<string, string> = {}) =>
  Promise.resolve(stack.app.request(path, { headers }));

async function versionOf(id: string): Promise<number | undefined> {
  const response = await get(`/v1/events/${id}`);
  return response.status === 200 ? ((await response.json()) as TimelineEvent).version : undefined;
}

describe('If-Match on PATCH', () => {
  it.each([
    ['a tag of another version', '"v2"'],
    ['a well-formed tag that is not a version', '"1"'],
    ['a huge version', '"v99999999999"'],
    ['the weak form of the current ETag (strong comparison)', 'W/"v1"'],
    ['a list of other tags', '"v7", "v8"'],
  ])('answers 412 problem+json to %s, changing nothing', async (_name, ifMatch) => {
    const event = await createEvent();
    const response = await patch(event.id, { 'if-match': ifMatch });
    expect(response.status).toBe(412);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ type: '/problems/precondition-failed', status: 412 });
    expect(await versionOf(event.id)).toBe(1);
  });

  it.each([
    ['unquoted', 'v1'],
    ['two tags without a comma', '"v1" "v2"'],
    ['a star in a list', '*, "v1"'],
    ['empty', ''],
  ])('answers 400 to a malformed If-Match (%s)', async (_name, ifMatch) => {
    const event = await createEvent();
    const response = await patch(event.id, { 'if-match': ifMatch });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: 'headers.if-match' }] });
  });

  it('applies the patch with If-Match: * when the event exists', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { 'if-match': '*' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v2"');
  });

  it('answers 404 to If-Match: * for an event that does not exist', async () => {
    const response = await patch('01J0000000000000000000000Z', { 'if-match': '*' });
    expect(response.status).toBe(404);
  });

  it('applies the patch when the current ETag is anywhere in a list', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { 'if-match': '"v7", W/"v1", "v1"' });
    expect(response.status).toBe(200);
    expect(await versionOf(event.id)).toBe(2);
  });

  it('reads an entity tag with a comma in it as one tag', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { 'if-match': '"v1,v2"' })).status).toBe(412);
  });
});

describe('If-None-Match on PATCH', () => {
  it('answers 412 to If-None-Match: * (the event exists), even without If-Match', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { 'if-none-match': '*' })).status).toBe(412);
    expect((await patch(event.id, { 'if-match': '"v1"', 'if-none-match': '*' })).status).toBe(412);
    expect(await versionOf(event.id)).toBe(1);
  });

  it('answers 412 when If-None-Match names the current ETag (weak comparison)', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { 'if-match': '"v1"', 'if-none-match': 'W/"v1"' })).status).toBe(412);
  });

  it('still asks for If-Match (428) when If-None-Match holds', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { 'if-none-match': '"v9"' })).status).toBe(428);
  });

  it('applies the patch when If-Match holds and If-None-Match names another version', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { 'if-match': '"v1"', 'if-none-match': '"v9"' })).status).toBe(200);
  });
});

describe('DELETE follows the same rules', () => {
  it.each([
    ['a weak If-Match', { 'if-match': 'W/"v1"' }],
    ['an If-Match naming another version', { 'if-match': '"v2"' }],
    ['a well-formed If-Match that is not a version', { 'if-match': '"x"' }],
    ['If-None-Match: *', { 'if-none-match': '*' }],
    ['If-None-Match naming the current ETag', { 'if-none-match': '"v1"' }],
  ])('answers 412 to %s and keeps the event', async (_name, headers) => {
    const event = await createEvent();
    expect((await remove(event.id, headers)).status).toBe(412);
    expect(await versionOf(event.id)).toBe(1);
  });

  it.each([
    ['If-Match: *', { 'if-match': '*' }],
    ['a list holding the current ETag', { 'if-match': '"v5", "v1"' }],
    ['the current ETag', { 'if-match': '"v1"' }],
    ['no precondition', {}],
  ])('deletes with %s', async (_name, headers) => {
    const event = await createEvent();
    expect((await remove(event.id, headers)).status).toBe(204);
    expect(await versionOf(event.id)).toBeUndefined();
  });

  it('answers 400 to a malformed If-None-Match', async () => {
    const event = await createEvent();
    const response = await remove(event.id, { 'if-none-match': 'nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ path: 'headers.if-none-match' }] });
  });
});

describe('GET /v1/events/{id} honours If-Match', () => {
  it('answers 412 to an If-Match naming another version, or its weak form', async () => {
    const event = await createEvent();
    expect((await get(`/v1/events/${event.id}`, { 'if-match': '"v2"' })).status).toBe(412);
    expect((await get(`/v1/events/${event.id}`, { 'if-match': 'W/"v1"' })).status).toBe(412);
  });

  it('answers 200 to If-Match: * and to the current ETag', async () => {
    const event = await createEvent();
    expect((await get(`/v1/events/${event.id}`, { 'if-match': '*' })).status).toBe(200);
    expect((await get(`/v1/events/${event.id}`, { 'if-match': '"v0", "v1"' })).status).toBe(200);
  });

  it('answers 304 when If-Match holds and If-None-Match names the current ETag', async () => {
    const event = await createEvent();
    const response = await get(`/v1/events/${event.id}`, { 'if-match': '"v1"', 'if-none-match': '"v1"' });
    expect(response.status).toBe(304);
  });

  it('answers 404, not 412, for an event that does not exist', async () => {
    expect((await get('/v1/events/01J0000000000000000000000Z', { 'if-match': '*' })).status).toBe(404);
  });
});

describe('GET /v1/events: ETag, Cache-Control and 304', () => {
  it('carries a weak ETag and a Cache-Control that makes caches revalidate', async () => {
    const tag = uniqueTag();
    await createEvent(tag);
    const response = await get(eventsPath({ tag }));
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^W\/"[\w-]+"$/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('answers 304 without a body to If-None-Match with the ETag, in either form', async () => {
    const tag = uniqueTag();
    await createEvent(tag);
    const etag = (await get(eventsPath({ tag }))).headers.get('etag')!;
    for (const ifNoneMatch of [etag, etag.slice(2), `"other", ${etag}`, '*']) {
      const response = await get(eventsPath({ tag }), { 'if-none-match': ifNoneMatch });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
      expect(await response.text()).toBe('');
    }
  });

  it('changes the ETag when the page changes, and answers 200 to the old one', async () => {
    const tag = uniqueTag();
    await createEvent(tag);
    const before = (await get(eventsPath({ tag }))).headers.get('etag')!;
    await createEvent(tag);
    const response = await get(eventsPath({ tag }), { 'if-none-match': before });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBe(before);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  it('changes the ETag when an event on the page is edited', async () => {
    const tag = uniqueTag();
    const event = await createEvent(tag);
    const before = (await get(eventsPath({ tag }))).headers.get('etag')!;
    expect((await patch(event.id, { 'if-match': '"v1"' })).status).toBe(200);
    const response = await get(eventsPath({ tag }), { 'if-none-match': before });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBe(before);
  });

  it('gives different pages of one query different ETags', async () => {
    const tag = uniqueTag();
    await createEvent(tag);
    await createEvent(tag);
    const first = await get(eventsPath({ tag, limit: 1 }));
    const { nextCursor } = (await first.json()) as { nextCursor: string };
    const second = await get(`${eventsPath({ tag, limit: 1 })}&cursor=${encodeURIComponent(nextCursor)}`);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
  });
});
