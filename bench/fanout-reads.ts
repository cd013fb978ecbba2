import { randomBytes } from 'node:crypto';
import type { TimelineEvent } from '../shared/domain/event.ts';
import {
  alertTypes,
  matchesFilter,
  type Subscription,
  type SubscriptionFilter,
} from '../shared/domain/subscription.ts';
import { SubscriptionRepository } from '../shared/store/subscription-repository.ts';
import { capturingTable } from './lib/capture.ts';
import { bulkWrite, startBenchDynamo } from './lib/dynamo-bench.ts';
import { benchId, randomFilter, rng } from './lib/fixtures.ts';
import { envNumber, log, mapLimit, quick, round } from './lib/stats.ts';

/**
 * fanoutReads: subscription index items read to find the subscriptions of a new event ÷ the
 * subscriptions that match it, with 100k active subscriptions of which 1% match. Filters are
 * drawn the way people write them (popular actors and kinds, one or two dimensions); drawing stops
 * once 99% non-matching and 1% matching ones are in hand.
 */

export interface FanoutReadsResult {
  subscriptions: number;
  matching: number;
  itemsRead: number;
  ratio: number;
}

/** A typical new event of this timeline: a missile launch involving popular actors. */
export const PROBE_EVENT: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'> = {
  kind: 'missile-launch',
  actors: [
    { type: 'state', code: 'KP' },
    { type: 'state', code: 'RU' },
    { type: 'state', code: 'UA' },
  ],
  tags: ['ballistic-missiles'],
};

const matches = (subscription: Pick<Subscription, 'filter' | 'types'>) =>
  subscription.types.includes('event.created') && matchesFilter(subscription.filter, PROBE_EVENT);

export function benchSubscriptions(total: number, matchingShare = 0.01): Subscription[] {
  const random = rng(99);
  const wantMatching = Math.round(total * matchingShare);
  const wantOthers = total - wantMatching;
  const matching: Subscription[] = [];
  const others: Subscription[] = [];
  const at = '2025-01-01T00:00:00.000Z';
  const sealed = randomBytes(60).toString('base64url');
  for (let i = 0; matching.length < wantMatching || others.length < wantOthers; i++) {
    if (i > total * 100) throw new Error('could not draw enough subscriptions');
    const filter: SubscriptionFilter = randomFilter(random);
    const types = random() < 0.9 ? (['event.created'] as const) : alertTypes;
    const subscription: Subscription = {
      id: benchId(11, i),
      channel: 'webhook',
      url: `https://hooks.example.org/dateline/${i}`,
      filter,
      types: [...types],
      status: 'active',
      secrets: [{ sealed, createdAt: at }],
      tokenHash: sealed.slice(0, 64),
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    const bucket = matches(subscription) ? matching : others;
    if (bucket === matching ? matching.length < wantMatching : others.length < wantOthers)
      bucket.push(subscription);
  }
  return [...others, ...matching];
}

export async function measureFanoutReads(): Promise<FanoutReadsResult & { notes: string[] }> {
  const total = envNumber('BENCH_SUBSCRIPTIONS', quick() ? 10_000 : 100_000);
  const subscriptions = benchSubscriptions(total);
  const dynamo = await startBenchDynamo();
  const notes: string[] = [];
  try {
    // The items SubscriptionRepository.create writes (subscription + index items), batch-written.
    const capture = capturingTable(dynamo.table.name);
    const writer = new SubscriptionRepository(capture.table);
    await mapLimit(subscriptions, 64, (subscription) => writer.create(subscription));
    const started = performance.now();
    await bulkWrite({ endpoint: dynamo.endpoint, tableName: dynamo.table.name }, capture.items, {
      label: `fan-out ${total} subscriptions`,
    });
    log(
      `fan-out: ${total} subscriptions (${capture.items.length} items) loaded in ${Math.round((performance.now() - started) / 1000)} s`,
    );
    const repository = new SubscriptionRepository(dynamo.table);
    const { candidates, itemsRead } = await repository.candidatesFor(PROBE_EVENT as TimelineEvent);
    const matching = candidates.filter(matches).length;
    const expected = subscriptions.filter(matches).length;
    if (matching !== expected)
      notes.push(`fan-out found ${matching} matching subscriptions, expected ${expected}`);
    log(`fan-out: read ${itemsRead} index items, ${candidates.length} candidates, ${matching} matching`);
    return {
      subscriptions: total,
      matching,
      itemsRead,
      ratio: round(itemsRead / Math.max(1, matching)),
      notes,
    };
  } finally {
    await dynamo.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureFanoutReads(), null, 2));
}
