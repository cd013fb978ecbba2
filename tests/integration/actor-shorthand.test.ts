/** A bare string actor is shorthand for a state: `"KP"` is stored as `{ type: 'state', code: 'KP' }`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput } from '../fixtures/events.ts';
import {
  bearer,
  eventsPath,
  getPage,
  jsonRequest,
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

const uniqueTag = () => `actor-${++counter}-${Date.now().toString(36)}`;

const create = (body: unknown) =>
  Promise.resolve(stack.app.request('/v1/events', jsonRequest('POST', body, bearer(stack.writerKey))));

const patch = (id: string, body: unknown, version: number) =>
  Promise.resolve(
    stack.app.request(`/v1/events/${id}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/merge-patch+json',
        'if-match': `"v${version}"`,
        ...bearer(stack.writerKey),
      },
      body: JSON.stringify(body),
    }),
  );

describe('actors written as ISO codes', () => {
  it('stores ["KP", "RU"] as state actors, and ?actor= finds them', async () => {
    const tag = uniqueTag();
    const response = await create(eventInput({ tags: [tag], actors: ['KP', 'RU'] as never }));
    expect(response.status).toBe(201);
    const event = (await response.json()) as TimelineEvent;
    expect(event.actors).toEqual([
      { type: 'state', code: 'KP' },
      { type: 'state', code: 'RU' },
    ]);

    const stored = (await (await stack.app.request(`/v1/events/${event.id}`)).json()) as TimelineEvent;
    expect(stored.actors).toEqual(event.actors);
    const page = await getPage(stack.app, eventsPath({ tag, actor: 'KP' }));
    expect(page.items.map((item) => item.id)).toEqual([event.id]);
  });

  it('takes strings and objects mixed, keeping their order', async () => {
    const response = await create(
      eventInput({
        tags: [uniqueTag()],
        actors: ['KP', { type: 'organisation', name: 'UN Security Council', role: 'host' }, 'RU'] as never,
      }),
    );
    expect(response.status).toBe(201);
    const event = (await response.json()) as TimelineEvent;
    expect(event.actors).toEqual([
      { type: 'state', code: 'KP' },
      { type: 'organisation', name: 'UN Security Council', role: 'host' },
      { type: 'state', code: 'RU' },
    ]);
  });

  it.each([['XX'], [''], ['kp']])('refuses %j with a clear error at body.actors.0', async (code) => {
    const response = await create(eventInput({ tags: [uniqueTag()], actors: [code] as never }));
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors).toEqual([
      {
        path: 'body.actors.0',
        message: 'a bare actor is a state: an ISO 3166-1 alpha-2 country code, for example RU',
      },
    ]);
  });

  it('refuses an actor that is neither a string nor an object, naming both forms', async () => {
    const response = await create(eventInput({ tags: [uniqueTag()], actors: ['KP', 42] as never }));
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors).toEqual([{ path: 'body.actors.1', message: expect.stringMatching(/ISO 3166-1/) }]);
  });

  it('still reports an object state actor with a bad code at its code', async () => {
    const response = await create(
      eventInput({ tags: [uniqueTag()], actors: [{ type: 'state', code: 'XX' }] as never }),
    );
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors).toEqual([{ path: 'body.actors.0.code', message: expect.any(String) }]);
  });

  it('a merge patch may write codes too; they are stored as state actors', async () => {
    const created = (await (await create(eventInput({ tags: [uniqueTag()] }))).json()) as TimelineEvent;
    const response = await patch(created.id, { actors: ['UA', { type: 'person', name: 'A. Person' }] }, 1);
    expect(response.status).toBe(200);
    const event = (await response.json()) as TimelineEvent;
    expect(event.actors).toEqual([
      { type: 'state', code: 'UA' },
      { type: 'person', name: 'A. Person' },
    ]);

    const refused = await patch(created.id, { actors: ['XX'] }, 2);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ProblemBody).errors).toEqual([
      { path: 'body.actors.0', message: expect.stringMatching(/ISO 3166-1 alpha-2/) },
    ]);
  });

  it('the OpenAPI document shows the string alternative in the input, and objects only in the Event', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const { EventInput, Event } = document.components.schemas;
    expect(EventInput!.properties.actors).toMatchObject({
      type: 'array',
      items: { anyOf: [{ type: 'string', example: 'KP' }, { $ref: '#/components/schemas/Actor' }] },
    });
    expect(Event!.properties.actors).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/Actor' },
    });
  });
});
