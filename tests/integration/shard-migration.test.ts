import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingEvents } from '../../shared/alerts/change-feed.ts';
import { type Delivery, deliveryIdFor } from '../../shared/domain/delivery.ts';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import type { Subscription, SubscriptionFilter } from '../../shared/domain/subscription.ts';
import { type LocalStore, openEmbeddedStore } from '../../shared/local/local-store.ts';
import { DeliveryRepository } from '../../shared/store/delivery-repository.ts';
import { createTable, type Table } from '../../shared/store/dynamo.ts';
import { migrateShardKeys } from '../../shared/store/migrations/shard-keys.ts';
import { shardOf } from '../../shared/store/shards.ts';
import { SubscriptionRepository } from '../../shared/store/subscription-repository.ts';
import { shardCounts } from '../../shared/store/table.ts';
import { eventInput, state } from '../fixtures/events.ts';

const AT = '2024-06-15T10:00:00.000Z';

let store: LocalStore;
let table: Table;

const event: TimelineEvent = {
  ...eventInput({ actors: [state('RU'), state('KP')], tags: ['ballistic-missiles'] }),
  id: ulid(),
  earliest: '2024-06-15',
  latest: '2024-06-15',
  precision: 'day',
  createdAt: AT,
  updatedAt: AT,
  version: 1,
};

const filter = (parts: Partial<SubscriptionFilter>): SubscriptionFilter => ({
  kinds: [],
  actors: [],
  tags: [],
  ...parts,
});

const subscription = (parts: Partial<Subscription>): Subscription => ({
  id: ulid(),
  channel: 'webhook',
  url: 'https://hooks.example.org/migration',
  filter: filter({}),
  types: ['event.created', 'event.updated', 'event.deleted'],
  status: 'active',
  secrets: [],
  createdAt: AT,
  updatedAt: AT,
  version: 1,
  ...parts,
});

const byActor = subscription({ filter: filter({ actors: ['KP'] }) });
const everything = subscription({});
/** Disabled by a build that writes sharded keys only: its old index item must not come back. */
const disabled = subscription({ status: 'disabled', version: 2 });
/** Saved again by a newer build (version 2, already under its sharded key): the old copy must not win. */
const resaved = subscription({ filter: filter({ actors: ['KP'] }), version: 2 });

const deliveryId = deliveryIdFor(byActor.id, event.id, 1, AT);
const delivery: Delivery = {
  id: deliveryId,
  subscriptionId: byActor.id,
  channel: 'webhook',
  kind: 'event.created',
  eventId: event.id,
  body: '{"type":"event.created"}',
  status: 'pending',
  attempts: [],
  scheduleStart: 0,
  createdAt: AT,
  updatedAt: AT,
  nextAttemptAt: AT,
};

const put = (item: Record<string, unknown>) =>
  table.client.send(new PutCommand({ TableName: table.name, Item: item }));

const indexItem = (pk: string, of: Subscription, version = of.version) => ({
  pk,
  sk: of.id,
  type: 'subscription-index',
  subscriptionId: of.id,
  channel: of.channel,
  filter: of.filter,
  types: of.types,
  version,
});

const indexShard = (of: Subscription) => shardOf(of.id, shardCounts.subscriptionIndex);

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({ TableName: table.name, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** What the system's readers find of the hand-written items. */
async function seen() {
  const due = await new DeliveryRepository(table).due(new Date(), 100);
  const events = await pendingEvents({ table }, { limit: 100 });
  const { candidates } = await new SubscriptionRepository(table).candidatesFor(event);
  return {
    due: due.map((ref) => ref.deliveryId),
    events,
    subscriptions: candidates.map((candidate) => candidate.subscriptionId).sort(),
  };
}

beforeAll(async () => {
  store = await openEmbeddedStore({ tableName: 'dateline-migration' });
  table = store.table;
  // The table as an older build left it: unsharded `due`, `feed` and subscription index keys.
  for (const of of [byActor, everything, disabled, resaved])
    await put({ pk: `SUB#${of.id}`, sk: 'SUB', type: 'subscription', version: of.version, subscription: of });
  await put({ pk: 'META', sk: 'subscription-index-shapes', shapes: new Set(['all', 'actor']) });
  await put(indexItem('SUBIDX#actor#KP', byActor));
  await put(indexItem('SUBIDX#all', everything));
  await put(indexItem('SUBIDX#all', disabled, 1));
  await put(indexItem('SUBIDX#actor#KP', resaved, 1));
  await put(indexItem(`SUBIDX#actor#KP@${indexShard(resaved)}`, resaved));
  await put({
    pk: `SUB#${byActor.id}`,
    sk: `DLV#${deliveryId}`,
    type: 'delivery',
    delivery,
    attemptCount: 0,
    duePk: 'DUE',
    dueSk: `${AT}#${byActor.id}#${deliveryId}`,
  });
  await put({
    pk: `EVENT#${event.id}`,
    sk: 'EVENT',
    type: 'event',
    event,
    version: 1,
    changes: { v1: { type: 'event.created', version: 1, at: AT } },
    feedPk: 'FEED',
    feedSk: `${AT}#${event.id}`,
  });
});

afterAll(async () => {
  await store?.close();
});

describe('migrating a table written before the keys were sharded', () => {
  it('is needed: the readers do not see old-layout items', async () => {
    expect(await seen()).toEqual({ due: [], events: [], subscriptions: [resaved.id] });
  });

  it('moves every old-layout item to its shard', async () => {
    const lines: string[] = [];
    const items = (await scanAll()).length;

    const result = await migrateShardKeys(table, { log: (line) => lines.push(line), pageSize: 3 });

    expect(result).toEqual({ scanned: expect.any(Number), due: 1, feed: 1, subscriptionIndex: 4 });
    // Every item was read (and items written meanwhile may have been, in pages still to come).
    expect(result.scanned).toBeGreaterThanOrEqual(items);
    expect(lines.some((line) => line.includes(`dropped SUBIDX#all ${disabled.id}`))).toBe(true);
  });

  it('leaves the readers seeing the migrated items', async () => {
    expect(await seen()).toEqual({
      due: [deliveryId],
      events: [event.id],
      subscriptions: [byActor.id, everything.id, resaved.id].sort(),
    });
    // The record without a message keeps its payload inline and reads as before.
    expect(
      (await new DeliveryRepository(table).get({ subscriptionId: byActor.id, deliveryId }))?.delivery,
    ).toEqual(delivery);
  });

  it('leaves no item in the old layout, and newer states as they were', async () => {
    const items = await scanAll();

    const old = items.filter(
      (item) =>
        item.duePk === 'DUE' ||
        item.feedPk === 'FEED' ||
        (item.type === 'subscription-index' && !/@\d+$/.test(item.pk as string)),
    );
    expect(old).toEqual([]);
    const index = items
      .filter((item) => item.type === 'subscription-index')
      .map((item) => [item.pk, item.sk, item.version]);
    expect(index).toEqual(
      expect.arrayContaining([
        [`SUBIDX#actor#KP@${indexShard(byActor)}`, byActor.id, 1],
        [`SUBIDX#all@${indexShard(everything)}`, everything.id, 1],
        [`SUBIDX#actor#KP@${indexShard(resaved)}`, resaved.id, 2],
      ]),
    );
    expect(index).toHaveLength(3);
    expect(items.find((item) => item.sk === `DLV#${deliveryId}`)?.duePk).toBe(
      `DUE#${shardOf(deliveryId, shardCounts.due)}`,
    );
    expect(items.find((item) => item.pk === `EVENT#${event.id}`)?.feedPk).toBe(
      `FEED#${shardOf(event.id, shardCounts.feed)}`,
    );
  });

  it('changes nothing when run again', async () => {
    const before = await scanAll();

    const result = await migrateShardKeys(table);

    expect(result).toEqual({ scanned: before.length, due: 0, feed: 0, subscriptionIndex: 0 });
    expect(await scanAll()).toEqual(before);
  });
});

describe('a writer that changes an item while the migration runs', () => {
  it('wins, and a second run moves what the first had to leave', async () => {
    const other = subscription({ filter: filter({ actors: ['KP'] }) });
    const otherDeliveryId = deliveryIdFor(other.id, event.id, 1, AT);
    const otherDelivery = { ...delivery, id: otherDeliveryId, subscriptionId: other.id };
    await put({ pk: `SUB#${other.id}`, sk: 'SUB', type: 'subscription', version: 1, subscription: other });
    await put(indexItem('SUBIDX#actor#KP', other));
    await put({
      pk: `SUB#${other.id}`,
      sk: `DLV#${otherDeliveryId}`,
      type: 'delivery',
      delivery: otherDelivery,
      attemptCount: 0,
      duePk: 'DUE',
      dueSk: `${AT}#${other.id}#${otherDeliveryId}`,
    });
    // Another process (an older build still running) acts just before each of the migration's writes.
    const writer = createTable({ tableName: table.name, endpoint: store.endpoint, region: 'local' });
    const name = 'concurrentWriter';
    table.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ConditionExpression?: string };
        if (input.ConditionExpression === 'duePk = :old')
          await new DeliveryRepository(writer).recordAttempt(
            otherDelivery,
            0,
            { at: AT, status: 200, latencyMs: 5 },
            { status: 'delivered' },
            new Date(),
          );
        if (input.ConditionExpression === 'version = :version')
          await writer.client.send(
            new PutCommand({ TableName: table.name, Item: indexItem('SUBIDX#actor#KP', other, 2) }),
          );
        return next(args);
      },
      { step: 'initialize', name },
    );
    let first: Awaited<ReturnType<typeof migrateShardKeys>>;
    try {
      first = await migrateShardKeys(table);
    } finally {
      table.client.middlewareStack.remove(name);
      writer.client.destroy();
    }

    // The delivery was attempted meanwhile: it left the due index and stays out of it.
    expect(first).toMatchObject({ due: 0, subscriptionIndex: 1 });
    const record = await table.client.send(
      new GetCommand({ TableName: table.name, Key: { pk: `SUB#${other.id}`, sk: `DLV#${otherDeliveryId}` } }),
    );
    expect(record.Item?.duePk).toBeUndefined();
    expect(record.Item?.delivery.status).toBe('delivered');
    // The index item changed after it was copied: the newer one stays put for the next run.
    expect(await migrateShardKeys(table)).toMatchObject({ due: 0, feed: 0, subscriptionIndex: 1 });
    const index = (await scanAll()).filter((item) => item.sk === other.id);
    expect(index.map((item) => [item.pk, item.version])).toEqual([
      [`SUBIDX#actor#KP@${indexShard(other)}`, 2],
    ]);
  });
});
