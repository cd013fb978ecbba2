/**
 * nextCursor promises a next page only when an item follows: a filter whose matches are exactly
 * `limit` gives null, and one more match gives a cursor whose page holds exactly that one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput, state } from '../fixtures/events.ts';
import {
  bearer,
  eventsPath,
  getPage,
  jsonRequest,
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

const uniqueTag = () => `cursor-${++counter}-${Date.now().toString(36)}`;

async function create(overrides: Parameters<typeof eventInput>[0]): Promise<TimelineEvent> {
  const response = await stack.app.request(
    '/v1/events',
    jsonRequest('POST', eventInput(overrides), bearer(stack.writerKey)),
  );
  expect(response.status).toBe(201);
  return (await response.json()) as TimelineEvent;
}

const days = (n: number) => Array.from({ length: n }, (_, i) => `2023-03-${String(i + 1).padStart(2, '0')}`);

describe('nextCursor', () => {
  it.each(['asc', 'desc'])('is null when the matches are exactly limit (%s)', async (order) => {
    const tag = uniqueTag();
    for (const date of days(3)) await create({ tags: [tag], date });
    const page = await getPage(stack.app, eventsPath({ tag, limit: 3, order }));
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
  });

  it.each(['asc', 'desc'])(
    'with limit + 1 matches leads to a page of exactly one item (%s)',
    async (order) => {
      const tag = uniqueTag();
      const created = [];
      for (const date of days(4)) created.push(await create({ tags: [tag], date }));
      const first = await getPage(stack.app, eventsPath({ tag, limit: 3, order }));
      expect(first.items).toHaveLength(3);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await getPage(
        stack.app,
        eventsPath({ tag, limit: 3, order, cursor: first.nextCursor! }),
      );
      expect(second.items.map((item) => item.id)).toEqual([
        (order === 'asc' ? created.at(-1) : created[0])!.id,
      ]);
      expect(second.nextCursor).toBeNull();
    },
  );

  it('is null when the items after a full page are only ones the residual filters refuse', async () => {
    // Driven by the tag; the kind is checked on each item, so the tag's later items are read and refused.
    const tag = uniqueTag();
    for (const date of days(2)) await create({ tags: [tag], date, kind: 'statement' });
    for (const date of ['2023-04-01', '2023-04-02']) await create({ tags: [tag], date, kind: 'resolution' });
    const page = await getPage(stack.app, eventsPath({ tag, kind: 'statement', limit: 2 }));
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it('is null when what follows a full page is the same event again, under another actor (OR filter)', async () => {
    const tag = uniqueTag();
    // Each event is listed under both actors; the merged ranges meet every event twice.
    for (const date of days(2)) await create({ tags: [tag], date, actors: [state('KP'), state('RU')] });
    const page = await getPage(
      stack.app,
      eventsPath({ actor: ['KP', 'RU'], tag, limit: 2, from: '2023-03' }),
    );
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it('skips past refused items: the next page starts at the next match', async () => {
    const tag = uniqueTag();
    const kept = await create({ tags: [tag], date: '2023-05-01', kind: 'statement' });
    await create({ tags: [tag], date: '2023-05-02', kind: 'resolution' });
    await create({ tags: [tag], date: '2023-05-03', kind: 'resolution' });
    const last = await create({ tags: [tag], date: '2023-05-04', kind: 'statement' });
    const first = await getPage(stack.app, eventsPath({ tag, kind: 'statement', limit: 1 }));
    expect(first.items.map((item) => item.id)).toEqual([kept.id]);
    const second = await getPage(
      stack.app,
      eventsPath({ tag, kind: 'statement', limit: 1, cursor: first.nextCursor! }),
    );
    expect(second.items.map((item) => item.id)).toEqual([last.id]);
    expect(second.nextCursor).toBeNull();
  });
});
