import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '../../shared/domain/subscription.ts';
import { PreconditionFailedError } from '../../shared/errors.ts';
import { type LocalStore, openEmbeddedStore } from '../../shared/local/local-store.ts';
import { SubscriptionRepository } from '../../shared/store/subscription-repository.ts';

let store: LocalStore;
let reads = 0;
let queries = 0;

beforeAll(async () => {
  store = await openEmbeddedStore({ tableName: 'subscription-cache' });
  store.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetCommand' || context.commandName === 'GetItemCommand') reads++;
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    },
    { step: 'initialize', name: 'getCounter' },
  );
});
afterAll(async () => {
  await store?.close();
});

const subscription = (id: string): Subscription => ({
  id,
  channel: 'webhook',
  url: 'https://hooks.example.org/cache',
  filter: { kinds: [], actors: [], tags: ['cache'] },
  types: ['event.created'],
  status: 'active',
  secrets: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
});

describe('SubscriptionRepository with a cache (one writer process)', () => {
  it('answers repeated reads without reading the table again', async () => {
    const repository = new SubscriptionRepository(store.table, { cacheMs: 60_000 });
    await repository.create(subscription('01KCACHE000000000000000001'));
    reads = 0;

    await repository.get('01KCACHE000000000000000001');
    await repository.get('01KCACHE000000000000000001');

    expect(reads).toBe(0);
  });

  it('answers the state it saved last, so an unsubscribe applies to the next delivery', async () => {
    const repository = new SubscriptionRepository(store.table, { cacheMs: 60_000 });
    const current = subscription('01KCACHE000000000000000002');
    await repository.create(current);
    await repository.get(current.id);

    await repository.save(current, { ...current, status: 'unsubscribed', version: 2 });

    expect((await repository.get(current.id)).status).toBe('unsubscribed');
  });

  it('forgets an entry whose save lost a race, and reads the table next time', async () => {
    const repository = new SubscriptionRepository(store.table, { cacheMs: 60_000 });
    const other = new SubscriptionRepository(store.table);
    const current = subscription('01KCACHE000000000000000003');
    await repository.create(current);
    await other.save(current, { ...current, types: ['event.updated'], version: 2 });

    await expect(
      repository.save(current, { ...current, status: 'disabled', version: 2 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);

    expect((await repository.get(current.id)).types).toEqual(['event.updated']);
  });

  it('reads the table every time without a cache', async () => {
    const repository = new SubscriptionRepository(store.table);
    await repository.create(subscription('01KCACHE000000000000000004'));
    reads = 0;

    await repository.get('01KCACHE000000000000000004');
    await repository.get('01KCACHE000000000000000004');

    expect(reads).toBe(2);
  });

  it('reads the index for fan-out once while no subscription changes, and again after one does', async () => {
    const repository = new SubscriptionRepository(store.table, { cacheMs: 60_000 });
    const first = subscription('01KCACHE000000000000000005');
    const tag = (filter: string) => ({ kinds: [], actors: [], tags: [filter] });
    await repository.create({ ...first, filter: tag('cache-index') });
    const event = { kind: 'statement' as const, actors: [], tags: ['cache-index'] };
    await repository.candidatesFor(event);
    reads = 0;
    queries = 0;

    const again = await repository.candidatesFor(event);

    expect(reads + queries).toBe(0);
    expect(again.itemsRead).toBe(0);
    expect(again.candidates.map((candidate) => candidate.subscriptionId)).toEqual([first.id]);

    const second = { ...subscription('01KCACHE000000000000000006'), filter: tag('cache-index') };
    await repository.create(second);
    const after = await repository.candidatesFor(event);
    expect(after.candidates.map((candidate) => candidate.subscriptionId).sort()).toEqual([
      first.id,
      second.id,
    ]);

    await repository.save(second, { ...second, status: 'unsubscribed', version: 2 });
    const unsubscribed = await repository.candidatesFor(event);
    expect(unsubscribed.candidates.map((candidate) => candidate.subscriptionId)).toEqual([first.id]);
  });
});
