import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription, SubscriptionFilter } from '../../shared/domain/subscription.ts';
import { shardCounts } from '../../shared/store/table.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
let queries = 0;

beforeAll(async () => {
  stack = await startAlertStack();
  stack.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    },
    { step: 'initialize', name: 'queryCounter' },
  );
});
afterAll(async () => {
  await stack?.close();
});

const filter = (parts: Partial<SubscriptionFilter>): SubscriptionFilter => ({
  kinds: [],
  actors: [],
  tags: [],
  ...parts,
});

async function subscribe(parts: Partial<SubscriptionFilter>): Promise<Subscription> {
  const { subscription } = await stack.service.subscribeWebhook({
    url: 'https://hooks.example.org/shapes',
    filter: filter(parts),
    types: ['event.created'],
  });
  return subscription;
}

/** Index queries fan-out makes for one event with two actors and two tags (16 key combinations). */
async function probe() {
  const event = alertEventInput({
    kind: 'missile-launch',
    actors: [
      { type: 'state', code: 'KP' },
      { type: 'state', code: 'RU' },
    ],
    tags: ['ballistic-missiles', 'arms-embargo'],
  });
  queries = 0;
  const found = await stack.subscriptionRepository.candidatesFor(event);
  return { queries, ids: found.candidates.map((candidate) => candidate.subscriptionId) };
}

describe('subscription index shapes', () => {
  it('probes only the key shapes some subscription uses', async () => {
    const byKind = await subscribe({ kinds: ['missile-launch'] });

    const result = await probe();

    expect(result.ids).toEqual([byKind.id]);
    // One partition, read in each of its write shards.
    expect(result.queries).toBe(1 * shardCounts.subscriptionIndex);
  });

  it('finds a subscription of a shape registered after the first ones', async () => {
    const byKindAndActor = await subscribe({ kinds: ['missile-launch'], actors: ['RU'] });
    const everything = await subscribe({});

    const result = await probe();

    expect(result.ids).toEqual(expect.arrayContaining([byKindAndActor.id, everything.id]));
    // kind, kind × each of the two actors, and match-all, each in every write shard.
    expect(result.queries).toBe(4 * shardCounts.subscriptionIndex);
  });
});
