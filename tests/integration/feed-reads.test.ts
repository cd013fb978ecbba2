import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorKey, type EventKind, type TimelineEvent } from '../../shared/domain/event.ts';
import type { RecentChangesRequest } from '../../shared/store/change-index.ts';
import { matchesTimelineFilter } from '../../shared/store/timeline-reader.ts';
import { eventInput, state } from '../fixtures/events.ts';
import { startTestStack, type TestStack } from '../support/test-app.ts';

/**
 * The feeds read the change index in proportion to the feed, not the timeline: a feed of `limit`
 * entries filtered on one dimension reads about `limit` index items and `limit` events, whatever
 * the table holds. Counted as DynamoDB (dynalite) reports it: ScannedCount of every Query, and the
 * items every BatchGetItem returned.
 */

const EVENTS = 150;
const KINDS: EventKind[] = ['missile-launch', 'statement', 'council-meeting'];

let stack: TestStack;
let all: TimelineEvent[];
const reads = { scanned: 0, fetched: 0 };

beforeAll(async () => {
  stack = await startTestStack();
  all = [];
  for (let start = 0; start < EVENTS; start += 10) {
    const batch = Array.from({ length: Math.min(10, EVENTS - start) }, (_, k) => start + k).map((i) =>
      stack.events.create(
        eventInput({
          title: `Bulk ${i}${i % 2 === 0 ? ' with embargo' : ''}`,
          kind: KINDS[i % KINDS.length]!,
          date: `20${10 + (i % 15)}-0${1 + (i % 9)}`,
          actors: i % 30 === 0 ? [state('ZW'), state('RU')] : [state('RU')],
          tags: ['bulk'],
        }),
      ),
    );
    all.push(...(await Promise.all(batch)).map((result) => result.event));
  }
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as { ScannedCount?: number; Responses?: Record<string, unknown[]> };
      if (context.commandName === 'QueryCommand') reads.scanned += output.ScannedCount ?? 0;
      if (context.commandName === 'BatchGetCommand' || context.commandName === 'BatchGetItemCommand') {
        for (const items of Object.values(output.Responses ?? {})) reads.fetched += items.length;
      }
      return result;
    },
    { step: 'initialize', name: 'countFeedReads' },
  );
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const request = (filter: Partial<RecentChangesRequest>): RecentChangesRequest => ({
  kinds: [],
  actors: [],
  tags: [],
  limit: 20,
  ...filter,
});

/** The answer by brute force: every event checked, latest change first. */
function expected(filter: RecentChangesRequest): string[] {
  return all
    .filter((event) => matchesTimelineFilter(event, { ...filter, order: 'desc' }))
    .sort((a, b) =>
      a.updatedAt === b.updatedAt ? (a.id < b.id ? 1 : -1) : a.updatedAt < b.updatedAt ? 1 : -1,
    )
    .slice(0, filter.limit)
    .map((event) => event.id);
}

async function measured(filter: RecentChangesRequest) {
  reads.scanned = 0;
  reads.fetched = 0;
  const result = await stack.events.recentChanges(filter);
  return { ids: result.items.map((event) => event.id), itemsRead: result.itemsRead, ...reads };
}

describe('readRecentChanges', () => {
  it('reads about a feed of index items and of events for one dimension', async () => {
    for (const filter of [request({}), request({ tags: ['bulk'] }), request({ kinds: ['statement'] })]) {
      const result = await measured(filter);
      expect(result.ids).toEqual(expected(filter));
      expect(result.scanned).toBeLessThanOrEqual(filter.limit + 1);
      expect(result.fetched).toBe(filter.limit);
      expect(result.itemsRead).toBe(result.scanned + result.fetched);
    }
  });

  it('reads only what a rare actor has', async () => {
    const filter = request({ actors: [actorKey(state('ZW'))] });
    const result = await measured(filter);
    expect(result.ids).toEqual(expected(filter));
    expect(result.ids).toHaveLength(EVENTS / 30);
    expect(result.scanned + result.fetched).toBeLessThanOrEqual(2 * (EVENTS / 30) + 1);
  });

  it('checks a second dimension and the dates on the index items, fetching only the events that pass', async () => {
    // About one event in nine passes both: a feed of 5 needs about 45 index items, not the 150.
    const filter = request({
      tags: ['bulk'],
      kinds: ['council-meeting'],
      from: '2015-01-01',
      to: '2019-12-31',
      limit: 5,
    });
    const result = await measured(filter);
    expect(result.ids).toEqual(expected(filter));
    expect(result.ids).toHaveLength(5);
    expect(result.fetched).toBe(5);
    expect(result.scanned).toBeLessThan(EVENTS / 2);
  });

  it('checks the text on the events, reading ahead by how many passed', async () => {
    const filter = request({ q: 'embargo' });
    const result = await measured(filter);
    expect(result.ids).toEqual(expected(filter));
    expect(result.fetched).toBeLessThanOrEqual(3 * filter.limit);
  });
});
