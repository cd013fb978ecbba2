import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../shared/domain/cursor.ts';
import { eventInput } from '../fixtures/events.ts';
import { getChanges } from '../support/change-feed.ts';
import {
  bearer,
  jsonRequest,
  type ProblemBody,
  startTestStack,
  TEST_TOKEN_KEY,
  type TestStack,
} from '../support/test-app.ts';

let stack: TestStack;
/** Every DynamoDB request the app sent, with what it read. */
let sent: { command: string; scanned: number; consistent: boolean }[] = [];

const CHANGES = 300;

beforeAll(async () => {
  stack = await startTestStack();
  for (let i = 0; i < CHANGES / 3; i++) {
    const { event } = await stack.events.create(eventInput({ title: `event ${i}`, tags: [`t${i % 7}`] }));
    const updated = await stack.events.update(event.id, 1, (input) => ({
      ...input,
      title: `event ${i} (2)`,
    }));
    if (i % 2 === 0) await stack.events.remove(event.id);
    else await stack.events.update(updated.id, 2, (input) => ({ ...input, summary: 'changed again' }));
  }
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { ConsistentRead?: boolean };
      sent.push({
        command: String(context.commandName),
        scanned: (result.output as { ScannedCount?: number }).ScannedCount ?? 0,
        consistent: input.ConsistentRead === true,
      });
      return result;
    },
    { step: 'initialize', name: 'recordRequests' },
  );
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as ProblemBody;
};

describe('GET /v1/changes', () => {
  it('is public and lists created, updated and deleted entries with their cursors', async () => {
    const page = await getChanges(stack.app, undefined, 6);
    expect(page.items.map((item) => [item.seq, item.type, item.version])).toEqual([
      [1, 'created', 1],
      [2, 'updated', 2],
      [3, 'deleted', 3],
      [4, 'created', 1],
      [5, 'updated', 2],
      [6, 'updated', 3],
    ]);
    const [created, , deleted] = page.items;
    expect(created!.event).toMatchObject({ title: 'event 0', version: 1 });
    expect(deleted).toEqual({
      seq: 3,
      cursor: expect.any(String),
      type: 'deleted',
      eventId: created!.eventId,
      version: 3,
      at: expect.any(String),
    });
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor).toBe(page.items[5]!.cursor);
  });

  it('reads a bounded page however long the log is: the page, the cursor entry and one more', async () => {
    let since: string | undefined;
    const reads: number[] = [];
    for (let n = 0; n < CHANGES / 20; n++) {
      sent = [];
      const page = await getChanges(stack.app, since, 20);
      expect(page.items).toHaveLength(20);
      expect(sent.map((request) => request.command)).toEqual(['QueryCommand']);
      reads.push(sent[0]!.scanned);
      since = page.nextCursor;
    }
    expect(Math.max(...reads)).toBeLessThanOrEqual(22);
    sent = [];
    const end = await getChanges(stack.app, since, 20);
    expect(end).toMatchObject({ items: [], hasMore: false, nextCursor: since });
    expect(sent.every((request) => request.command === 'QueryCommand' && request.scanned <= 1)).toBe(true);
  });

  it('picks up a change made after a client caught up', async () => {
    let page = await getChanges(stack.app, undefined, 200);
    while (page.hasMore) page = await getChanges(stack.app, page.nextCursor, 200);
    const response = await stack.app.request(
      '/v1/events',
      jsonRequest('POST', eventInput({ title: 'after the client caught up' }), bearer(stack.writerKey)),
    );
    const created = (await response.json()) as { id: string };

    const next = await getChanges(stack.app, page.nextCursor, 200);

    expect(next.items.map((item) => [item.type, item.eventId])).toEqual([['created', created.id]]);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['limit=1e1', 'query.limit'],
    ['limit=0x10', 'query.limit'],
    ['limit=5&limit=6', 'query.limit'],
    ['since=garbage', 'query.since'],
    ['since=', 'query.since'],
  ])('refuses %s with 400 naming %s', async (query, path) => {
    const response = await stack.app.request(`/v1/changes?${query}`);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((error) => error.path)).toEqual([path]);
  });

  it('refuses a cursor that was altered, with 400', async () => {
    const { nextCursor } = await getChanges(stack.app, undefined, 2);
    const [payload, mac] = nextCursor.split('.');
    const altered = `${Buffer.from(
      Buffer.from(payload!, 'base64url').toString().replace('"a":"2/', '"a":"1/'),
    ).toString('base64url')}.${mac}`;
    const response = await stack.app.request(`/v1/changes?since=${encodeURIComponent(altered)}`);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.[0]?.path).toBe('query.since');
  });

  it('refuses a timeline cursor, with 400', async () => {
    const timeline = (await (await stack.app.request('/v1/events?limit=1')).json()) as { nextCursor: string };
    const response = await stack.app.request(`/v1/changes?since=${encodeURIComponent(timeline.nextCursor)}`);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).detail).toMatch(/not a cursor of the change feed/);
  });

  it('answers 410 to a position this log does not hold, telling the client to sync from the start', async () => {
    const [first] = (await getChanges(stack.app, undefined, 1)).items;
    for (const after of ['99999/-', `1/${first!.eventId}.7`, '1/-']) {
      const since = encodeCursor({ after, query: 'changes' }, TEST_TOKEN_KEY);
      const response = await stack.app.request(`/v1/changes?since=${encodeURIComponent(since)}`);
      expect(response.status).toBe(410);
      expect((await problemOf(response)).detail).toMatch(/from the start, without since/);
    }
  });

  it('is in the OpenAPI document', async () => {
    const document = (await (await stack.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string }[]; responses: object }>>;
    };
    const operation = document.paths['/v1/changes']?.get;
    expect(operation?.parameters.map((parameter) => parameter.name).sort()).toEqual(['limit', 'since']);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '410']));
  });
});
