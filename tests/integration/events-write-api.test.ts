import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput, minimalEventInput } from '../fixtures/events.ts';
import {
  bearer,
  eventsPath,
  getPage,
  jsonRequest,
  listAll,
  type ProblemBody,
  startTestStack,
  type TestStack,
} from '../support/test-app.ts';

let stack: TestStack;
let counter = 0;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A tag no other test uses, so a test can count exactly its own events. */
const uniqueTag = () => `t-${++counter}-${Date.now().toString(36)}`;

async function create(
  body: unknown,
  headers: Record<string, string> = {},
  key: string = stack.writerKey,
): Promise<Response> {
  return stack.app.request('/v1/events', jsonRequest('POST', body, { ...bearer(key), ...headers }));
}

async function createEvent(overrides: Parameters<typeof eventInput>[0] = {}): Promise<TimelineEvent> {
  const response = await create(eventInput({ tags: [uniqueTag()], ...overrides }));
  expect(response.status).toBe(201);
  return (await response.json()) as TimelineEvent;
}

function patch(id: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    stack.app.request(`/v1/events/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json', ...bearer(stack.writerKey), ...headers },
      body: JSON.stringify(body),
    }),
  );
}

function remove(id: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    stack.app.request(`/v1/events/${id}`, {
      method: 'DELETE',
      headers: { ...bearer(stack.writerKey), ...headers },
    }),
  );
}

const get = (id: string) => Promise.resolve(stack.app.request(`/v1/events/${id}`));
const byTag = async (tag: string) => (await getPage(stack.app, eventsPath({ tag, limit: 200 }))).items;

describe('POST /v1/events', () => {
  it('answers 201 with the stored event', async () => {
    const input = eventInput({ tags: [uniqueTag()] });
    const response = await create(input);
    expect(response.status).toBe(201);
    const event = (await response.json()) as TimelineEvent;
    expect(event).toMatchObject({
      ...input,
      earliest: '2024-06-15',
      latest: '2024-06-15',
      precision: 'day',
      version: 1,
    });
    expect(event.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(event.createdAt).toBe(event.updatedAt);
  });

  it('gives the Location of the new event and its ETag', async () => {
    const response = await create(eventInput({ tags: [uniqueTag()] }));
    const event = (await response.json()) as TimelineEvent;
    expect(response.headers.get('location')).toBe(`http://localhost/v1/events/${event.id}`);
    expect(response.headers.get('etag')).toBe('"v1"');
  });

  it('serves the created event at its Location', async () => {
    const response = await create(eventInput({ tags: [uniqueTag()] }));
    const created = await response.json();
    const location = new URL(response.headers.get('location')!);
    const fetched = await stack.app.request(location.pathname);
    expect(await fetched.json()).toEqual(created);
  });

  it('lists the created event in the timeline', async () => {
    const tag = uniqueTag();
    const event = await createEvent({ tags: [tag] });
    expect((await byTag(tag)).map((e) => e.id)).toEqual([event.id]);
  });

  it('fills the defaults of a minimal event: empty summary, actors and tags', async () => {
    const response = await create(minimalEventInput());
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ summary: '', actors: [], tags: [] });
  });

  it('accepts an admin key (admin may do everything)', async () => {
    expect((await create(eventInput({ tags: [uniqueTag()] }), {}, stack.adminKey)).status).toBe(201);
  });

  it('accepts the bearer scheme in any case', async () => {
    const response = await stack.app.request(
      '/v1/events',
      jsonRequest('POST', eventInput({ tags: [uniqueTag()] }), {
        authorization: `bearer ${stack.writerKey}`,
      }),
    );
    expect(response.status).toBe(201);
  });

  describe('long and far intervals', () => {
    it('stores an interval in December 9999, the last month there is', async () => {
      const response = await create(eventInput({ date: '9999-12-01/9999-12-31', tags: [uniqueTag()] }));
      expect(response.status).toBe(201);
    });

    it.each([
      ['0001/9999', '2024-06-15'],
      ['1800/2024', '1950-06-15'],
      ['1990/2030', '2024-06-15'],
      ['2019-12/2024-01', '2022-07-15'],
      ['9990/9999', '9995-06-15'],
    ])('lists the interval %s as in progress on %s (a from it straddles)', async (date, day) => {
      const tag = uniqueTag();
      const event = await createEvent({ date, tags: [tag] });
      const page = await getPage(stack.app, eventsPath({ tag, from: day, to: day }));
      expect(page.items.map((e) => e.id)).toEqual([event.id]);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same body, and stores one event', async () => {
      const input = eventInput({ tags: [uniqueTag()] });
      const first = await create(input, { 'idempotency-key': 'create-once-1' });
      const second = await create(input, { 'idempotency-key': 'create-once-1' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      const [a, b] = [(await first.json()) as TimelineEvent, (await second.json()) as TimelineEvent];
      expect(b).toEqual(a);
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await byTag(input.tags[0]!)).toHaveLength(1);
    });

    it('treats the same body with its members in another order as the same body', async () => {
      const input = eventInput({ tags: [uniqueTag()] });
      const reordered = Object.fromEntries(Object.entries(input).reverse());
      const first = (await (
        await create(input, { 'idempotency-key': 'reordered-1' })
      ).json()) as TimelineEvent;
      const second = await create(reordered, { 'idempotency-key': 'reordered-1' });
      expect(((await second.json()) as TimelineEvent).id).toBe(first.id);
    });

    it('replays under concurrent repeats and still stores one event', async () => {
      const input = eventInput({ tags: [uniqueTag()] });
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => create(input, { 'idempotency-key': 'concurrent-1' })),
      );
      const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as TimelineEvent).id));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(ids).size).toBe(1);
      expect(await byTag(input.tags[0]!)).toHaveLength(1);
    });

    it('refuses a different body under the same key with 422, storing nothing more', async () => {
      const tag = uniqueTag();
      await create(eventInput({ tags: [tag], title: 'First' }), { 'idempotency-key': 'reused-1' });
      const response = await create(eventInput({ tags: [tag], title: 'Second' }), {
        'idempotency-key': 'reused-1',
      });
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ type: '/problems/idempotency-key-reused', status: 422 });
      expect((await byTag(tag)).map((e) => e.title)).toEqual(['First']);
    });

    it('keeps the keys of different API keys apart', async () => {
      const tag = uniqueTag();
      const otherWriter = await stack.keyWith(['events:write']);
      const a = await create(eventInput({ tags: [tag] }), { 'idempotency-key': 'shared-name' });
      const b = await create(eventInput({ tags: [tag] }), { 'idempotency-key': 'shared-name' }, otherWriter);
      expect(((await a.json()) as TimelineEvent).id).not.toBe(((await b.json()) as TimelineEvent).id);
      expect(await byTag(tag)).toHaveLength(2);
    });

    it('creates a new event for every request without a key', async () => {
      const input = eventInput({ tags: [uniqueTag()] });
      await create(input);
      await create(input);
      expect(await byTag(input.tags[0]!)).toHaveLength(2);
    });
  });
});

describe('PATCH /v1/events/{id}', () => {
  it('refuses a patch without If-Match with 428', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { title: 'Changed' });
    expect(response.status).toBe(428);
    expect(await response.json()).toMatchObject({ type: '/problems/precondition-required', status: 428 });
    expect(((await (await get(event.id)).json()) as TimelineEvent).title).toBe(event.title);
  });

  it('refuses a stale If-Match with 412', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { title: 'Changed' }, { 'if-match': '"v2"' });
    expect(response.status).toBe(412);
    expect(await response.json()).toMatchObject({ type: '/problems/precondition-failed', status: 412 });
  });

  it('applies the patch with the current ETag: 200, the new version and its ETag', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { title: 'Changed' }, { 'if-match': '"v1"' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v2"');
    const changed = (await response.json()) as TimelineEvent;
    expect(changed).toMatchObject({ id: event.id, title: 'Changed', version: 2, createdAt: event.createdAt });
    expect(changed.summary).toBe(event.summary);
    expect(await (await get(event.id)).json()).toEqual(changed);
  });

  it('refuses the ETag that was current before a change', async () => {
    const event = await createEvent();
    await patch(event.id, { title: 'Once' }, { 'if-match': '"v1"' });
    expect((await patch(event.id, { title: 'Twice' }, { 'if-match': '"v1"' })).status).toBe(412);
  });

  it('refuses a weak ETag in If-Match: If-Match compares strongly (RFC 9110 §13.1.1)', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { title: 'Weakly' }, { 'if-match': 'W/"v1"' })).status).toBe(412);
  });

  it('accepts application/json as well as application/merge-patch+json', async () => {
    const event = await createEvent();
    const response = await stack.app.request(
      `/v1/events/${event.id}`,
      jsonRequest('PATCH', { title: 'As JSON' }, { ...bearer(stack.writerKey), 'if-match': '"v1"' }),
    );
    expect(response.status).toBe(200);
  });

  it('removes the location when patched with null', async () => {
    const event = await createEvent();
    expect(event.location).toBeDefined();
    const response = await patch(event.id, { location: null }, { 'if-match': '"v1"' });
    const changed = (await response.json()) as TimelineEvent;
    expect(changed).not.toHaveProperty('location');
    expect(await (await get(event.id)).json()).not.toHaveProperty('location');
  });

  it('merges into the location, keeping its other members', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { location: { lat: 49.99 } }, { 'if-match': '"v1"' });
    expect(((await response.json()) as TimelineEvent).location).toEqual({
      name: 'Kharkiv',
      country: 'UA',
      lat: 49.99,
    });
  });

  it('updates earliest, latest and precision when the date is refined', async () => {
    const event = await createEvent({ date: '2024-06' });
    const response = await patch(event.id, { date: '2024-06-19' }, { 'if-match': '"v1"' });
    expect(await response.json()).toMatchObject({
      date: '2024-06-19',
      earliest: '2024-06-19',
      latest: '2024-06-19',
      precision: 'day',
    });
  });

  it('moves a refined event in the timeline: it leaves ranges it no longer meets', async () => {
    const tag = uniqueTag();
    const event = await createEvent({ date: '2024-06', tags: [tag] });
    const inEarlyJune = () => getPage(stack.app, eventsPath({ tag, from: '2024-06-01', to: '2024-06-10' }));
    expect((await inEarlyJune()).items.map((e) => e.id)).toEqual([event.id]);
    await patch(event.id, { date: '2024-06-19' }, { 'if-match': '"v1"' });
    expect((await inEarlyJune()).items).toEqual([]);
    const lateJune = await getPage(stack.app, eventsPath({ tag, from: '2024-06-15', to: '2024-06-20' }));
    expect(lateJune.items.map((e) => e.date)).toEqual(['2024-06-19']);
  });

  it('moves the event between filter partitions when its kind and tags change', async () => {
    const [before, after] = [uniqueTag(), uniqueTag()];
    const event = await createEvent({ kind: 'statement', tags: [before] });
    await patch(event.id, { kind: 'resolution', tags: [after] }, { 'if-match': '"v1"' });
    expect(await byTag(before)).toEqual([]);
    expect((await byTag(after)).map((e) => e.kind)).toEqual(['resolution']);
    const statements = await listAll(stack.app, eventsPath({ kind: 'statement', limit: 200 }));
    expect(statements.map((e) => e.id)).not.toContain(event.id);
  });

  it('refuses a patch that would leave the event invalid, changing nothing', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { sources: [] }, { 'if-match': '"v1"' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ProblemBody).errors?.[0]?.path).toBe('body.sources');
    expect(await (await get(event.id)).json()).toEqual(event);
  });

  it('refuses to remove a required field with null', async () => {
    const event = await createEvent();
    expect((await patch(event.id, { title: null }, { 'if-match': '"v1"' })).status).toBe(400);
  });

  it('refuses fields a client cannot change', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { version: 9, id: 'x' }, { 'if-match': '"v1"' });
    expect(response.status).toBe(400);
    const paths = ((await response.json()) as ProblemBody).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.version', 'body.id']));
  });

  it('keeps the version when the patch changes nothing', async () => {
    const event = await createEvent();
    const response = await patch(event.id, { title: event.title }, { 'if-match': '"v1"' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"v1"');
  });

  it('answers 404 for an event that does not exist', async () => {
    const response = await patch('01J1Z8Q4Y6V3W2X1A0B9C8D7E6', { title: 'x' }, { 'if-match': '"v1"' });
    expect(response.status).toBe(404);
  });
});

describe('DELETE /v1/events/{id}', () => {
  it('answers 204, then the event is gone (404)', async () => {
    const event = await createEvent();
    const response = await remove(event.id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const after = await get(event.id);
    expect(after.status).toBe(404);
    expect(after.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 404 to a second delete', async () => {
    const event = await createEvent();
    await remove(event.id);
    expect((await remove(event.id)).status).toBe(404);
  });

  it('answers 404 to a patch of a deleted event', async () => {
    const event = await createEvent();
    await remove(event.id);
    expect((await patch(event.id, { title: 'Back' }, { 'if-match': '"v2"' })).status).toBe(404);
  });

  it('removes the event from every list it was in', async () => {
    const tag = uniqueTag();
    const event = await createEvent({
      date: '2024-06-10/2024-06-20',
      actors: [{ type: 'state', code: 'LI' }],
      tags: [tag],
    });
    const lists = [
      eventsPath({ tag }),
      eventsPath({ actor: 'LI' }),
      eventsPath({ kind: 'missile-launch', limit: 200 }),
      eventsPath({ from: '2024-06-15', to: '2024-06-15', limit: 200 }),
      eventsPath({ limit: 200 }),
    ];
    for (const path of lists) expect((await listAll(stack.app, path)).map((e) => e.id)).toContain(event.id);
    await remove(event.id);
    for (const path of lists)
      expect((await listAll(stack.app, path)).map((e) => e.id)).not.toContain(event.id);
  });

  it('refuses a stale If-Match with 412 and keeps the event', async () => {
    const event = await createEvent();
    expect((await remove(event.id, { 'if-match': '"v5"' })).status).toBe(412);
    expect((await get(event.id)).status).toBe(200);
  });

  it('deletes with the current If-Match', async () => {
    const event = await createEvent();
    expect((await remove(event.id, { 'if-match': '"v1"' })).status).toBe(204);
  });
});

describe('authorisation of writes', () => {
  const writes: [string, (id: string, headers: Record<string, string>) => Promise<Response>][] = [
    [
      'POST /v1/events',
      (_id, headers) =>
        Promise.resolve(stack.app.request('/v1/events', jsonRequest('POST', eventInput(), headers))),
    ],
    [
      'PATCH /v1/events/{id}',
      (id, headers) =>
        Promise.resolve(
          stack.app.request(
            `/v1/events/${id}`,
            jsonRequest('PATCH', { title: 'x' }, { 'if-match': '"v1"', ...headers }),
          ),
        ),
    ],
    [
      'DELETE /v1/events/{id}',
      (id, headers) => Promise.resolve(stack.app.request(`/v1/events/${id}`, { method: 'DELETE', headers })),
    ],
  ];

  for (const [route, send] of writes) {
    describe(route, () => {
      it('answers 401 problem+json with WWW-Authenticate without a key', async () => {
        const event = await createEvent();
        const response = await send(event.id, {});
        expect(response.status).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="dateline"');
        expect(await response.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
        expect((await get(event.id)).status).toBe(200);
      });

      it('answers 401 to a well-formed key that was never issued', async () => {
        const event = await createEvent();
        const forged = `dl_abcdefabcdef_${'A'.repeat(43)}`;
        const response = await send(event.id, bearer(forged));
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="dateline"');
      });

      it('answers 401 to a key whose secret was changed', async () => {
        const event = await createEvent();
        const tampered = `${stack.writerKey.slice(0, -1)}${stack.writerKey.endsWith('A') ? 'B' : 'A'}`;
        expect((await send(event.id, bearer(tampered))).status).toBe(401);
      });

      it('answers 401 to another authorisation scheme', async () => {
        const event = await createEvent();
        expect((await send(event.id, { authorization: `Basic ${btoa('user:pass')}` })).status).toBe(401);
      });

      it('answers 403 to a key without the events:write scope', async () => {
        const event = await createEvent();
        const subscriber = await stack.keyWith(['subscriptions:write']);
        const response = await send(event.id, bearer(subscriber));
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ type: '/problems/forbidden', status: 403 });
        expect((await get(event.id)).status).toBe(200);
      });
    });
  }

  it('lets anyone read the timeline and an event without a key', async () => {
    const event = await createEvent();
    expect((await stack.app.request('/v1/events')).status).toBe(200);
    expect((await get(event.id)).status).toBe(200);
  });
});
