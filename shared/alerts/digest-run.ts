/**
 * The digest run: walks the digest periods that have ended (the `due` index under `DIGESTDUE#<n>`,
 * shard by shard, a bounded page at a time) and turns each into one delivery. Like fan-out, it
 * does bounded work per invocation and answers where each unfinished shard goes on; a period is
 * only ever found while it has something to send, so an empty period costs nothing at all.
 */
import type { AlertPayload, Delivery } from '../domain/delivery.ts';
import { buildDigest, type DigestPeriod, type DigestSchedule, digestDeliveryId } from '../domain/digest.ts';
import type { Subscription } from '../domain/subscription.ts';
import { NotFoundError } from '../errors.ts';
import { mapLimit } from '../platform/concurrency.ts';
import type { Logger } from '../platform/logger.ts';
import type { DeliveryRepository } from '../store/delivery-repository.ts';
import { type DigestPeriodRef, DigestStore } from '../store/digest-store.ts';
import type { Table } from '../store/dynamo.ts';
import { allShards } from '../store/shards.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import { shardCounts } from '../store/table.ts';
import type { DeliveryQueue } from './fanout.ts';

export interface DigestDeps {
  table: Table;
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  logger: Logger;
  /** The time a digest is recorded at and due from (real time; `now` of a run only picks its periods). */
  clock?: () => Date;
}

/** One shard of the digest periods, and where its walk goes on (absent: from the start). */
export interface DigestUnit {
  shard: number;
  cursor?: Record<string, unknown>;
}

export interface DigestRunOptions {
  /** Periods that ended at or before this instant are sent (the schedule's time; tests pass their clock). */
  now: Date;
  /** Epoch ms (real time) after which no further page is started. */
  deadline?: number;
  /** Periods read per page (default 500). */
  pageSize?: number;
  /** Periods one run takes on at most, over all its shards: bounded work whatever the audience. */
  maxPeriods?: number;
  /** The shards to walk, from their cursors (a continuation); default every shard from the start. */
  units?: DigestUnit[];
}

export interface DigestRunResult {
  /** Digests recorded and enqueued by this run. */
  sent: number;
  /** Periods whose digest was recorded already (a crash, a replayed schedule): enqueued again, nothing new. */
  repeated: number;
  /** Periods with nothing to send, or whose subscription is no longer active. */
  skipped: number;
  periods: number;
  /** Shards this run did not finish, with where each goes on; empty when it is complete. */
  remaining: DigestUnit[];
}

export const DEFAULT_DIGEST_PAGE_SIZE = 500;
/** Shards walked at once, and periods of a page built at once. */
const UNIT_CONCURRENCY = 4;
const PERIOD_CONCURRENCY = 16;

export const allDigestUnits = (): DigestUnit[] =>
  allShards(shardCounts.digestDue).map((shard) => ({ shard }));

/** A period's schedule, told by its length (a subscription may have changed its own since). */
const scheduleOf = (period: DigestPeriod): DigestSchedule => ({
  frequency: Date.parse(period.end) - Date.parse(period.start) > 86_400_000 ? 'weekly' : 'daily',
  hour: new Date(period.end).getUTCHours(),
});

/**
 * Sends the digest of every period that ended by `now`: one delivery per subscription and period.
 * Safe to run twice, concurrently, or after a crash at any step: a period's digest has one id.
 */
export async function runDigests(deps: DigestDeps, options: DigestRunOptions): Promise<DigestRunResult> {
  const result: DigestRunResult = { sent: 0, repeated: 0, skipped: 0, periods: 0, remaining: [] };
  const store = new DigestStore(deps.table);
  const pageSize = options.pageSize ?? DEFAULT_DIGEST_PAGE_SIZE;
  const budget = new PeriodBudget(options.maxPeriods ?? Number.POSITIVE_INFINITY);
  await mapLimit(options.units ?? allDigestUnits(), UNIT_CONCURRENCY, async (unit) => {
    let cursor = unit.cursor;
    for (;;) {
      const take =
        options.deadline !== undefined && Date.now() >= options.deadline ? 0 : await budget.reserve(pageSize);
      if (take === 0) {
        result.remaining.push({ shard: unit.shard, ...(cursor ? { cursor } : {}) });
        return;
      }
      let found = 0;
      let page: Awaited<ReturnType<DigestStore['duePage']>>;
      try {
        page = await store.duePage(unit.shard, options.now, take, cursor);
        found = page.refs.length;
      } finally {
        budget.settle(take, found);
      }
      const outcomes = await mapLimit(page.refs, PERIOD_CONCURRENCY, (ref) => sendDigest(deps, store, ref));
      result.periods += outcomes.length;
      for (const outcome of outcomes) result[outcome]++;
      if (!page.next) return;
      cursor = page.next;
    }
  });
  deps.logger.info('digest run', {
    now: options.now.toISOString(),
    periods: result.periods,
    sent: result.sent,
    repeated: result.repeated,
    skipped: result.skipped,
    continued: result.remaining.length,
  });
  return result;
}

/**
 * The periods a run may still take on, shared by its shard walks: each reserves up to a page before
 * reading one and gives back what the page did not hold. A walk that finds nothing left while
 * another holds a reservation waits for it, rather than stopping at a bound that will come back.
 */
class PeriodBudget {
  private reserved = 0;
  private waiting: (() => void)[] = [];

  constructor(private left: number) {}

  /** Up to `most` periods for the next page; 0 when the run's bound is reached. */
  async reserve(most: number): Promise<number> {
    while (this.left <= 0 && this.reserved > 0)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    const take = Math.min(most, this.left);
    this.left -= take;
    this.reserved += take;
    return take;
  }

  /** A reservation of `taken` is over; `used` of it were periods found. */
  settle(taken: number, used: number): void {
    this.reserved -= taken;
    this.left += taken - used;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

/**
 * One subscription's period: closed first (later changes go to the next period), then its entries
 * read and listed in one delivery with the period's own id, recorded (a repeat records nothing),
 * enqueued, and the period settled off the index.
 */
async function sendDigest(
  deps: DigestDeps,
  store: DigestStore,
  ref: DigestPeriodRef,
): Promise<'sent' | 'repeated' | 'skipped'> {
  const now = (deps.clock ?? (() => new Date()))();
  if (!(await store.close(ref))) return 'repeated';
  const entries = await store.entries(ref);
  const subscription = entries.length > 0 ? await activeSubscription(deps, ref.subscriptionId) : undefined;
  const bodies = subscription ? await deps.deliveries.messages.bodies(entries.map((e) => e.message)) : [];
  const payload = subscription
    ? buildDigest(
        subscription.id,
        scheduleOf(ref.period),
        ref.period,
        entries.map((entry, i) => ({
          entry,
          message: bodies[i] === undefined ? undefined : (JSON.parse(bodies[i]!) as AlertPayload),
        })),
      )
    : undefined;
  if (!subscription || !payload) {
    await store.settle(ref, now);
    return 'skipped';
  }
  const at = now.toISOString();
  const delivery: Delivery = {
    id: digestDeliveryId(subscription.id, ref.period),
    subscriptionId: subscription.id,
    channel: subscription.channel,
    kind: 'event.digest',
    body: JSON.stringify(payload),
    status: 'pending',
    attempts: [],
    scheduleStart: 0,
    createdAt: at,
    updatedAt: at,
  };
  const deliveryRef = { subscriptionId: subscription.id, deliveryId: delivery.id };
  const release = deps.queue.reserve?.([delivery.id]);
  let fresh: Delivery[];
  try {
    fresh = await deps.deliveries.recordAll([delivery], at);
    // Enqueued on a repeat too: the first run may have recorded it and stopped before this.
    await deps.queue.enqueue([deliveryRef], fresh);
  } finally {
    release?.();
  }
  await store.settle(ref, now);
  return fresh.length > 0 ? 'sent' : 'repeated';
}

async function activeSubscription(deps: DigestDeps, id: string): Promise<Subscription | undefined> {
  try {
    const subscription = await deps.subscriptions.get(id);
    return subscription.status === 'active' ? subscription : undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
