/**
 * Fan-out's part of digests: for a subscription that takes daily or weekly digests, a matching
 * change is collected as a digest entry of the period it falls in, instead of becoming a delivery.
 */
import { type DigestChange, digestScheduleOf, periodAfter, periodOf } from '../domain/digest.ts';
import { mapLimit } from '../platform/concurrency.ts';
import { DigestStore } from '../store/digest-store.ts';
import type { Table } from '../store/dynamo.ts';
import type { SubscriptionCandidate } from '../store/subscription-repository.ts';
import type { ChangeToAnnounce } from './fanout-walk.ts';

/** Entry writes in flight at once per page (each is two conditional writes). */
const COLLECT_CONCURRENCY = 32;
/** Closed periods one change may skip over before fan-out gives up on it (and retries later). */
const MAX_CLOSED_PERIODS = 1000;

/** Whether fan-out collects this subscription's alerts into digests. */
export const takesDigests = (candidate: Pick<SubscriptionCandidate, 'frequency'>) =>
  candidate.frequency === 'daily' || candidate.frequency === 'weekly';

/**
 * Collects one change for each digest subscription: into the period its time falls in, or, when
 * that period's digest is closed already (a late or replayed fan-out), into the next open one.
 * Returns how many subscriptions it was collected for.
 */
export async function collectForDigests(
  table: Table,
  target: ChangeToAnnounce,
  candidates: SubscriptionCandidate[],
): Promise<number> {
  if (candidates.length === 0) return 0;
  const store = new DigestStore(table);
  const { change, event, message } = target;
  const happened: DigestChange = {
    type: change.type,
    version: change.version,
    at: change.at,
    ...(change.previous ? { changed: Object.keys(change.previous) } : {}),
  };
  const collected = { eventId: event.id, version: change.version, message, change: happened };
  await mapLimit(candidates, COLLECT_CONCURRENCY, async (candidate) => {
    const schedule = digestScheduleOf(candidate)!;
    let period = periodOf(change.at, schedule);
    for (let skipped = 0; !(await store.collect(candidate.subscriptionId, period, collected)); skipped++) {
      if (skipped === MAX_CLOSED_PERIODS)
        throw new Error(`no open digest period for ${candidate.subscriptionId} after ${period.start}`);
      period = periodAfter(period, schedule);
    }
  });
  return candidates.length;
}
