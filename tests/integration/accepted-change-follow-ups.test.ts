/**
 * A change is accepted once its event item is written (the item carries it as pending). When the
 * writes that follow fail — its timeline items, its change-log entry — the request still answers
 * as accepted, since a 5xx for a stored change would have the client send it again (a second
 * event, without an Idempotency-Key). Fan-out then logs the change and repairs the timeline, so
 * the event is listed and in /v1/changes all the same. The failures are injected into the real
 * table client (dynalite underneath).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANGE_LOG_PK } from '../../shared/store/keys.ts';
import { type AlertStack, alertEventInput, bearer, json, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
let writerKey: string;
/** Which follow-up writes fail: PutItems whose key's pk matches, while armed. */
let failing: RegExp | undefined;
let failed = 0;

beforeAll(async () => {
  stack = await startAlertStack();
  writerKey = await stack.keyWith(['events:write']);
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const item = (args.input as { Item?: { pk?: unknown } }).Item;
      if (failing && context.commandName === 'PutItemCommand' && failing.test(String(item?.pk))) {
        failed++;
        throw Object.assign(new Error('injected: the table did not answer'), { name: 'InternalServerError' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFollowUpFailures' },
  );
});
beforeEach(() => {
  failing = undefined;
  failed = 0;
});
afterAll(async () => {
  await stack?.close();
});

interface ChangePage {
  items: { eventId: string; type: string }[];
  nextCursor: string;
  hasMore: boolean;
}

const changePage = async (since?: string) =>
  (await (await stack.app.request(`/v1/changes${since ? `?since=${since}` : ''}`)).json()) as ChangePage;

/** The change log's end now: a cursor from which only later changes are read. */
async function logPosition(): Promise<string> {
  let page = await changePage();
  while (page.hasMore) page = await changePage(page.nextCursor);
  return page.nextCursor;
}

const changesSince = async (since: string) => (await changePage(since)).items;

const listedWithTag = async (tag: string) =>
  (
    (await (await stack.app.request(`/v1/events?tag=${tag}`)).json()) as { items: { id: string }[] }
  ).items.map((event) => event.id);

describe('an accepted change whose follow-up writes fail', () => {
  it('is a created event all the same: 201, readable at once, listed and logged once fan-out has run', async () => {
    const since = await logPosition();
    failing = new RegExp(`^(TL#|CHG#|${CHANGE_LOG_PK}$)`);
    const created = await stack.app.request(
      '/v1/events',
      json('POST', alertEventInput({ tags: ['follow-ups'] }), bearer(writerKey)),
    );
    failing = undefined;
    expect(created.status).toBe(201);
    expect(failed).toBeGreaterThan(0);
    const { id } = (await created.json()) as { id: string };
    expect((await stack.app.request(`/v1/events/${id}`)).status).toBe(200);
    expect(await listedWithTag('follow-ups')).not.toContain(id);

    await stack.settle();
    expect(await listedWithTag('follow-ups')).toContain(id);
    expect((await changesSince(since)).filter((change) => change.eventId === id)).toEqual([
      expect.objectContaining({ eventId: id, type: 'created' }),
    ]);
  });

  it('is an update all the same: 200 with the new version, the timeline and log caught up by fan-out', async () => {
    const created = await stack.app.request(
      '/v1/events',
      json('POST', alertEventInput({ tags: ['follow-ups-2'] }), bearer(writerKey)),
    );
    const { id } = (await created.json()) as { id: string };
    await stack.settle();
    const since = await logPosition();

    failing = new RegExp(`^(TL#|CHG#|${CHANGE_LOG_PK}$)`);
    const patched = await stack.app.request(`/v1/events/${id}`, {
      method: 'PATCH',
      headers: {
        ...bearer(writerKey),
        'content-type': 'application/merge-patch+json',
        'if-match': created.headers.get('etag')!,
      },
      body: JSON.stringify({ tags: ['follow-ups-3'] }),
    });
    failing = undefined;
    expect(patched.status).toBe(200);
    expect(failed).toBeGreaterThan(0);
    expect(await listedWithTag('follow-ups-3')).not.toContain(id);

    await stack.settle();
    expect(await listedWithTag('follow-ups-3')).toContain(id);
    expect(await listedWithTag('follow-ups-2')).not.toContain(id);
    expect((await changesSince(since)).filter((change) => change.eventId === id)).toEqual([
      expect.objectContaining({ eventId: id, type: 'updated' }),
    ]);
  });
});
