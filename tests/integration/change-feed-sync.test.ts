import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainChangeFeed } from '../../shared/alerts/change-feed.ts';
import type { EventKind } from '../../shared/domain/event.ts';
import { eventInput, state } from '../fixtures/events.ts';
import { seededRandom } from '../fixtures/random.ts';
import { type AlertStack, startAlertStack } from '../support/alert-stack.ts';
import { byId, type ChangeItem, getChanges, SyncedCopy } from '../support/change-feed.ts';
import { bearer, jsonRequest, listAll } from '../support/test-app.ts';

/**
 * A client that applies GET /v1/changes to an empty copy ends with exactly the timeline, after
 * random creates, updates and deletes by several concurrent writers (some refused: two writers
 * patching one event with the same ETag), while fan-out announces and clears the same events, and
 * while the client itself reads in the middle of the writes.
 */

let stack: AlertStack;
let auth: Record<string, string>;

beforeAll(async () => {
  stack = await startAlertStack();
  auth = bearer(await stack.keyWith(['events:write']));
});
afterAll(async () => {
  await stack?.close();
});

const KINDS: EventKind[] = ['missile-launch', 'statement', 'council-meeting', 'resolution'];
const STATES = ['KP', 'RU', 'UA', 'US', 'CN'];

/** Accepted writes: every one must be in the feed exactly once. */
interface Accepted {
  eventId: string;
  version: number;
}

/**
 * One writer: creates, patches (with the ETag it just read, so concurrent patches of one event
 * collide and one is refused with 412) and deletes events, most of them shared with other writers.
 */
async function writer(seed: number, ops: number, ids: string[], accepted: Accepted[]): Promise<number> {
  let refused = 0;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  for (let op = 0; op < ops; op++) {
    const roll = random();
    if (ids.length < 3 || roll < 0.35) {
      const response = await stack.app.request(
        '/v1/events',
        jsonRequest(
          'POST',
          eventInput({
            kind: pick(KINDS),
            title: `writer ${seed} op ${op}`,
            date: `2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}`,
            actors: [state(pick(STATES))],
            tags: [pick(['sanctions', 'launches', 'talks'])],
          }),
          auth,
        ),
      );
      expect(response.status).toBe(201);
      const event = (await response.json()) as { id: string; version: number };
      ids.push(event.id);
      accepted.push({ eventId: event.id, version: event.version });
      continue;
    }
    const id = pick(ids);
    const current = await stack.app.request(`/v1/events/${id}`);
    if (current.status === 404) continue;
    const etag = current.headers.get('etag')!;
    if (roll < 0.85) {
      const response = await stack.app.request(
        `/v1/events/${id}`,
        jsonRequest(
          'PATCH',
          { title: `patched by ${seed} at ${op}`, tags: [pick(['sanctions', 'launches', 'talks', 'trade'])] },
          { ...auth, 'if-match': etag },
        ),
      );
      expect([200, 404, 412]).toContain(response.status);
      if (response.status === 412) refused++;
      if (response.status === 200) {
        const event = (await response.json()) as { id: string; version: number };
        accepted.push({ eventId: event.id, version: event.version });
      }
    } else {
      const response = await stack.app.request(`/v1/events/${id}`, {
        method: 'DELETE',
        headers: { ...auth, 'if-match': etag },
      });
      expect([204, 404, 412]).toContain(response.status);
      if (response.status === 412) refused++;
      if (response.status === 204) accepted.push({ eventId: id, version: Number(/\d+/.exec(etag)![0]) + 1 });
    }
  }
  return refused;
}

/** Fan-out running beside the writers, announcing and clearing the changes they leave on event items. */
function fanoutBeside(): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await drainChangeFeed(stack.fanout, { limit: 25 });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const key = (change: Accepted | ChangeItem) => `${change.eventId}@${change.version}`;

function expectWellOrdered(applied: ChangeItem[]): void {
  const seqs = applied.map((item) => item.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  const lastVersion = new Map<string, number>();
  for (const item of applied) {
    expect(item.version).toBeGreaterThan(lastVersion.get(item.eventId) ?? 0);
    lastVersion.set(item.eventId, item.version);
    if (item.type === 'deleted') expect(item.event).toBeUndefined();
    else expect(item.event?.version).toBe(item.version);
  }
}

describe('GET /v1/changes keeps a copy in sync', () => {
  it('applied from the start, page by page, ends with exactly the timeline after concurrent writes', async () => {
    const ids: string[] = [];
    const accepted: Accepted[] = [];
    const fanout = fanoutBeside();
    const refused = await Promise.all([1, 2, 3, 4].map((seed) => writer(seed, 20, ids, accepted)));
    await fanout.stop();
    await stack.settle();

    const copy = new SyncedCopy();
    const pages = await copy.sync(stack.app, 3);

    expect(pages).toBeGreaterThan(accepted.length / 3 - 1);
    expect(copy.sorted()).toEqual(byId(await listAll(stack.app)));
    expect(copy.applied.map(key).sort()).toEqual(accepted.map(key).sort());
    expectWellOrdered(copy.applied);
    expect(accepted.some((change) => change.version > 2)).toBe(true);
    // The writers did collide: some of their patches and deletes were refused.
    expect(refused.reduce((a, b) => a + b)).toBeGreaterThan(0);
  }, 120_000);

  it('resumes from its stored cursor, having read while the writers wrote, without missing a change', async () => {
    const copy = new SyncedCopy();
    await copy.sync(stack.app, 50);
    const ids = [...copy.events.keys()];
    const accepted: Accepted[] = [];

    const fanout = fanoutBeside();
    let writing = true;
    const readerBeside = (async () => {
      while (writing) {
        await copy.sync(stack.app, 2);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await Promise.all([11, 12, 13].map((seed) => writer(seed, 12, ids, accepted)));
    writing = false;
    await readerBeside;
    await fanout.stop();
    const before = copy.applied.length;

    await copy.sync(stack.app, 4);

    expect(copy.sorted()).toEqual(byId(await listAll(stack.app)));
    const appliedSince = new Set(copy.applied.map(key));
    for (const change of accepted) expect(appliedSince.has(key(change))).toBe(true);
    expect(copy.applied.length).toBeGreaterThanOrEqual(before);
    expectWellOrdered(copy.applied);
  }, 120_000);

  it('resumes from the cursor of the last entry it applied, in the middle of a page', async () => {
    const whole = new SyncedCopy();
    await whole.sync(stack.app, 200);
    const partial = new SyncedCopy();
    const first = await getChanges(stack.app, undefined, 10);
    for (const item of first.items.slice(0, 4)) partial.apply(item);
    partial.cursor = first.items[3]!.cursor;

    await partial.sync(stack.app, 7);

    expect(partial.applied.map((item) => item.seq)).toEqual(whole.applied.map((item) => item.seq));
    expect(partial.sorted()).toEqual(whole.sorted());
  });
});
