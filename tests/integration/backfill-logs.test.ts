import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { batchWrite } from '../../shared/store/dynamo.ts';
import { buildEventItem } from '../../shared/store/event-repository.ts';
import { subscriptionKey } from '../../shared/store/keys.ts';
import { backfillLogs } from '../../shared/store/migrations/backfill-logs.ts';
import { SubscriptionListing } from '../../shared/store/subscription-listing.ts';
import { timelineItems } from '../../shared/store/timeline-items.ts';
import { eventInput } from '../fixtures/events.ts';
import { byId, SyncedCopy } from '../support/change-feed.ts';
import { listAll, startTestStack, type TestStack } from '../support/test-app.ts';

/** A table written before the change log and the listing: events announced long ago, a subscription. */
let stack: TestStack;
const OLD_IDS = ['01HOLDEVENT0000000000000A1', '01HOLDEVENT0000000000000B2', '01HOLDEVENT0000000000000C3'];

const oldSubscription: Subscription = {
  id: '01HOLDSUBSCR1PT10N00000000',
  channel: 'email',
  address: 'old@example.org',
  filter: { kinds: [], actors: [], tags: [] },
  types: ['event.created'],
  status: 'active',
  secrets: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  version: 3,
};

beforeAll(async () => {
  stack = await startTestStack();
  const writes = OLD_IDS.flatMap((id, i) => {
    const at = `2025-0${i + 1}-01T00:00:00.000Z`;
    const event = materialiseEvent(eventInput({ title: `old event ${i}` }), {
      id,
      createdAt: at,
      updatedAt: at,
      version: i + 1,
    });
    // Announced long ago: no pending change, no feed marker.
    const {
      changes: _changes,
      feedPk: _pk,
      feedSk: _sk,
      ...item
    } = buildEventItem(event, {
      type: 'event.created',
      version: i + 1,
      at,
    });
    return [{ ...item, changes: {} }, ...timelineItems(event)].map((Item) => ({ PutRequest: { Item } }));
  });
  await batchWrite(stack.table, writes);
  await stack.table.client.send(
    new PutCommand({
      TableName: stack.table.name,
      Item: {
        ...subscriptionKey(oldSubscription.id),
        type: 'subscription',
        version: 3,
        subscription: oldSubscription,
      },
    }),
  );
  // The new build's first write: logged by its writer.
  await stack.events.create(eventInput({ title: 'written after the deploy' }));
});
afterAll(async () => {
  await stack?.close();
});

describe('backfillLogs', () => {
  it('logs every event the change log does not know, once, so a client from the start gets the timeline', async () => {
    const before = new SyncedCopy();
    await before.sync(stack.app, 10);
    expect(before.events.size).toBe(1);

    const counts = await backfillLogs(stack.table);

    expect(counts).toMatchObject({ events: 3, subscriptions: 1 });
    const copy = new SyncedCopy();
    await copy.sync(stack.app, 2);
    expect(copy.sorted()).toEqual(byId(await listAll(stack.app)));
    const backfilled = copy.applied.filter((item) => OLD_IDS.includes(item.eventId));
    expect(backfilled.map((item) => [item.eventId, item.type, item.version]).sort()).toEqual(
      OLD_IDS.map((id, i) => [id, 'created', i + 1]),
    );
  });

  it('lists the subscriptions written before the listing existed', async () => {
    const page = await new SubscriptionListing(stack.table).page({ status: 'active', limit: 10 });
    expect(page.subscriptions.map((subscription) => subscription.id)).toEqual([oldSubscription.id]);
  });

  it('logs nothing twice when run again', async () => {
    const counts = await backfillLogs(stack.table);
    expect(counts).toMatchObject({ events: 0 });
    const copy = new SyncedCopy();
    await copy.sync(stack.app, 50);
    expect(copy.applied).toHaveLength(OLD_IDS.length + 1);
  });
});
