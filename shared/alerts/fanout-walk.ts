/**
 * The paged walk at the heart of fan-out: one change's matching subscriptions, read from each
 * shard of each index partition a bounded page at a time, each page recorded (conditionally) and
 * enqueued before the next is read. Memory holds a few pages whatever the audience; a deadline
 * stops the walk between pages and answers where each unfinished shard goes on.
 */
import type { Delivery, MessageRef } from '../domain/delivery.ts';
import { deliveryIdFor } from '../domain/delivery.ts';
import type { TimelineEvent } from '../domain/event.ts';
import { matchesFilter, subscriptionIndexKeys } from '../domain/subscription.ts';
import { mapLimit } from '../platform/concurrency.ts';
import type { DeliveryRef } from '../store/delivery-repository.ts';
import type { PendingChange } from '../store/event-repository.ts';
import type { FanoutUnit } from '../store/fanout-progress.ts';
import { subscriptionIndexKeyPartition } from '../store/keys.ts';
import { allShards } from '../store/shards.ts';
import type { SubscriptionCandidate } from '../store/subscription-repository.ts';
import { shardCounts } from '../store/table.ts';
import { collectForDigests, takesDigests } from './digest-collect.ts';
import type { FanoutDeps } from './fanout.ts';

/** Index items read per page: bounds memory and the work between two deadline checks. */
export const DEFAULT_FANOUT_PAGE_SIZE = 500;
/** Shards walked at once by one invocation. */
const UNIT_CONCURRENCY = 4;

export interface WalkOptions {
  /** Epoch ms after which no further page is started. */
  deadline?: number;
  pageSize?: number;
}

/** One change, ready to be announced: the states it is matched against and its stored message. */
export interface ChangeToAnnounce {
  event: TimelineEvent;
  /** The state before the change (an update can move an event into a filter or out of it). */
  before: TimelineEvent;
  change: PendingChange;
  /** The index partitions this change probes (unsharded names). */
  partitions: string[];
  message: MessageRef;
  body: string;
}

export interface WalkResult {
  recorded: number;
  /** Digest subscriptions the change was collected for (as digest entries, not deliveries). */
  collected: number;
  matched: number;
  subscriptionsRead: number;
  /** Units the deadline stopped, with where each goes on; empty when the walk is complete. */
  remaining: FanoutUnit[];
}

/** Every unit of a change: each probed partition in each of its shards. */
export const allUnits = (partitions: string[]): FanoutUnit[] =>
  partitions.flatMap((partition) =>
    allShards(shardCounts.subscriptionIndex).map((shard) => ({ partition, shard })),
  );

export async function walkUnits(
  deps: FanoutDeps,
  target: ChangeToAnnounce,
  units: FanoutUnit[],
  options: WalkOptions = {},
): Promise<WalkResult> {
  const result: WalkResult = { recorded: 0, collected: 0, matched: 0, subscriptionsRead: 0, remaining: [] };
  const pageSize = options.pageSize ?? DEFAULT_FANOUT_PAGE_SIZE;
  const probed = new Set(target.partitions);
  await mapLimit(units, UNIT_CONCURRENCY, async (unit) => {
    let cursor = unit.cursor;
    for (;;) {
      if (options.deadline !== undefined && Date.now() >= options.deadline) {
        result.remaining.push({
          partition: unit.partition,
          shard: unit.shard,
          ...(cursor ? { cursor } : {}),
        });
        return;
      }
      const page = await deps.subscriptions.indexPage(unit.partition, unit.shard, pageSize, cursor);
      result.subscriptionsRead += page.scanned;
      const matching = page.items.filter(
        (candidate) => isMatch(candidate, target) && homePartition(candidate, probed) === unit.partition,
      );
      // Awaited first: `x += await …` would read x before the wait and lose the other lanes' counts.
      const collected = await collectForDigests(deps.table, target, matching.filter(takesDigests));
      const recorded = await announce(
        deps,
        target,
        matching.filter((candidate) => !takesDigests(candidate)),
      );
      result.matched += matching.length;
      result.recorded += recorded;
      result.collected += collected;
      if (!page.next) return;
      cursor = page.next;
    }
  });
  return result;
}

const isMatch = (candidate: SubscriptionCandidate, { change, event, before }: ChangeToAnnounce) =>
  candidate.types.includes(change.type) &&
  (matchesFilter(candidate.filter, event) || matchesFilter(candidate.filter, before));

/**
 * A subscription indexed under several partitions a change probes (actors KP and RU, say) is
 * announced from one of them only: the first in order. Pure, so every walker agrees.
 */
function homePartition(candidate: SubscriptionCandidate, probed: Set<string>): string | undefined {
  let home: string | undefined;
  for (const key of subscriptionIndexKeys(candidate.filter)) {
    const partition = subscriptionIndexKeyPartition(key);
    if (probed.has(partition) && (home === undefined || partition < home)) home = partition;
  }
  return home;
}

/** Records one page's deliveries (a replay records nothing new) and enqueues them. */
async function announce(deps: FanoutDeps, target: ChangeToAnnounce, matching: SubscriptionCandidate[]) {
  if (matching.length === 0) return 0;
  const { event, change } = target;
  const deliveries = matching.map(
    (candidate): Delivery => ({
      id: deliveryIdFor(candidate.subscriptionId, event.id, change.version, change.at),
      subscriptionId: candidate.subscriptionId,
      channel: candidate.channel,
      kind: change.type,
      eventId: event.id,
      body: target.body,
      message: target.message,
      status: 'pending',
      attempts: [],
      scheduleStart: 0,
      createdAt: change.at,
      updatedAt: change.at,
    }),
  );
  // Enqueue replays too: a first run may have recorded and then died before enqueueing. A second
  // message for a delivery sends nothing (the attempt is claimed before it is sent).
  const refs: DeliveryRef[] = deliveries.map((delivery) => ({
    subscriptionId: delivery.subscriptionId,
    deliveryId: delivery.id,
  }));
  const release = deps.queue.reserve?.(refs.map((ref) => ref.deliveryId));
  try {
    const fresh = await deps.deliveries.recordAll(deliveries, new Date().toISOString());
    await deps.queue.enqueue(refs, fresh);
    return fresh.length;
  } finally {
    release?.();
  }
}
