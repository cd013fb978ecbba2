import { drainChangeFeed } from '../alerts/change-feed.ts';
import type { AwsAlerts } from './alerts-runtime.ts';

/**
 * The safety net that makes "accepted is never lost" hold on AWS too: event changes the stream
 * did not announce (e.g. after its retries ran out) are fanned out, and deliveries overdue by
 * more than the grace period are put on the queue again. Both steps are idempotent.
 */
export function createSweepHandler(alerts: AwsAlerts, clock: () => Date = () => new Date()) {
  return async function sweepHandler(): Promise<{ events: number; deliveries: number; requeued: number }> {
    // Changes and deliveries older than the grace are taken as missed by the stream or the queue.
    const cutoff = new Date(clock().getTime() - alerts.config.sweepGraceSeconds * 1000);
    let events = 0;
    let deliveries = 0;
    for (let round = 0; round < 20; round++) {
      const drained = await drainChangeFeed(alerts.fanout, { limit: 25, olderThan: cutoff });
      events += drained.events;
      deliveries += drained.deliveries;
      if (drained.events === 0) break;
    }
    const overdue = await alerts.deliver.deliveries.due(cutoff, 500);
    await alerts.fanout.queue.enqueue(
      overdue.map(({ subscriptionId, deliveryId }) => ({ subscriptionId, deliveryId })),
    );
    alerts.logger.info('sweep', { events, deliveries, requeued: overdue.length });
    return { events, deliveries, requeued: overdue.length };
  };
}
