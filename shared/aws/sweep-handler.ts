import type { Context } from 'aws-lambda';
import { drainChangeFeed } from '../alerts/change-feed.ts';
import { FanoutsParked } from '../platform/metrics.ts';
import type { AwsAlerts } from './alerts-runtime.ts';

/** Overdue deliveries re-driven per run at most (over all `due` shards), and per page read. */
export const SWEEP_MAX_DELIVERIES = 20_000;
const SWEEP_PAGE_SIZE = 500;
/** An event whose fan-out failed in a sweep waits this long before a sweep tries it again. */
export const PARK_MS = 60 * 60 * 1000;
/** Time kept free at the end of an invocation (a fan-out page in flight finishes in it). */
const SAFETY_MS = 15_000;

export interface SweepResult {
  events: number;
  deliveries: number;
  parked: number;
  requeued: number;
}

/**
 * The safety net that makes "accepted is never lost" hold on AWS too. First, deliveries overdue by
 * more than the grace period — missed by the queue, or waiting longer than a queue delay can — are
 * put on the queue again, every `due` shard in parallel; then event changes the stream did not
 * announce (its retries ran out, or a continued fan-out stalled) are fanned out. An event whose
 * fan-out fails is logged, counted and parked for an hour, so one bad event cannot block the rest.
 * Every step is idempotent.
 */
export function createSweepHandler(alerts: AwsAlerts, clock: () => Date = () => new Date()) {
  return async function sweepHandler(
    _event?: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SweepResult> {
    const now = clock();
    const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() - SAFETY_MS : 45_000);
    // Changes and deliveries older than the grace are taken as missed by the stream or the queue.
    const cutoff = new Date(now.getTime() - alerts.config.sweepGraceSeconds * 1000);
    const requeued = await alerts.deliver.deliveries.walkDue(
      cutoff,
      { pageSize: SWEEP_PAGE_SIZE, max: SWEEP_MAX_DELIVERIES },
      (refs) => alerts.fanout.queue.enqueue(refs),
    );
    const result: SweepResult = { events: 0, deliveries: 0, parked: 0, requeued };
    for (let round = 0; round < 20 && Date.now() < deadline; round++) {
      const drained = await drainChangeFeed(alerts.fanout, {
        limit: 25,
        olderThan: cutoff,
        deadline,
        onEventFailure: async (eventId, error) => {
          alerts.logger.error('fan-out failed in a sweep; parking the event', { eventId, error });
          alerts.deliver.metrics.count(FanoutsParked, 1);
          await alerts.fanout.events.parkFeed(eventId, new Date(now.getTime() + PARK_MS));
        },
      });
      result.events += drained.events;
      result.deliveries += drained.deliveries;
      result.parked += drained.failed;
      // Nothing announced (only changes whose continuations are under way): the rest waits a sweep.
      if (drained.changes + drained.failed === 0) break;
    }
    alerts.deliver.metrics.flush();
    alerts.logger.info('sweep', { ...result });
    return result;
  };
}
