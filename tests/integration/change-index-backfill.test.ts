import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { buildEventItem } from '../../shared/store/event-repository.ts';
import { backfillChangeIndex } from '../../shared/store/migrations/backfill-change-index.ts';
import { timelineItems } from '../../shared/store/timeline-items.ts';
import { eventInput } from '../fixtures/events.ts';
import { startTestStack, type TestStack } from '../support/test-app.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Writes an event as a build before the change index did: its item and its timeline postings only. */
async function writeAsAnOlderBuild(id: string, tag: string) {
  const at = '2025-03-04T05:06:07.000Z';
  const event = materialiseEvent(eventInput({ title: `Old ${tag}`, tags: [tag] }), {
    id,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  const {
    feedPk: _pk,
    feedSk: _sk,
    ...item
  } = buildEventItem(event, { type: 'event.created', version: 1, at });
  const postings = timelineItems(event).filter((posting) => posting.type === 'timeline');
  for (const Item of [{ ...item, changes: {} }, ...postings]) {
    await stack.table.client.send(new PutCommand({ TableName: stack.table.name, Item }));
  }
  return event;
}

const feedIds = async (tag: string) =>
  (await stack.events.recentChanges({ kinds: [], actors: [], tags: [tag], limit: 10 })).items.map(
    (e) => e.id,
  );

describe('backfillChangeIndex', () => {
  it('indexes the events an older build wrote, once', async () => {
    const event = await writeAsAnOlderBuild('01KBACKF1LL000000000000000', 'backfilled');
    expect(await feedIds('backfilled')).toEqual([]);

    const first = await backfillChangeIndex(stack.table);
    expect(first.events).toBe(1);
    expect(first.entries).toBe(timelineItems(event).filter((item) => item.type === 'change').length);
    expect(await feedIds('backfilled')).toEqual([event.id]);

    const again = await backfillChangeIndex(stack.table);
    expect(again).toMatchObject({ events: 0, entries: 0 });
  });

  it('leaves the entries of events written by this build as they are', async () => {
    const { event } = await stack.events.create(eventInput({ tags: ['current-build'] }));
    expect(await feedIds('current-build')).toEqual([event.id]);
    expect((await backfillChangeIndex(stack.table)).entries).toBe(0);
  });
});
