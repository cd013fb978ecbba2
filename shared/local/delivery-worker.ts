import { attemptDelivery, type DeliverDeps } from '../alerts/deliver.ts';

/**
 * The local stand-in for SQS: takes due deliveries from the `due` index and attempts them, a few
 * at a time. Durable by construction: a delivery stays in the index until an attempt settles it.
 */
export function createDeliveryRound(deps: DeliverDeps, concurrency = 8): () => Promise<boolean> {
  const inFlight = new Set<string>();
  return async function deliverDue(): Promise<boolean> {
    const due = (await deps.deliveries.due(new Date(), 50)).filter((ref) => !inFlight.has(ref.deliveryId));
    if (due.length === 0) return false;
    let next = 0;
    const lane = async () => {
      while (next < due.length) {
        const ref = due[next++]!;
        inFlight.add(ref.deliveryId);
        try {
          await attemptDelivery(deps, ref);
        } catch (error) {
          deps.logger.error('delivery attempt failed; it stays due', { deliveryId: ref.deliveryId, error });
        } finally {
          inFlight.delete(ref.deliveryId);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    deps.metrics.flush();
    return true;
  };
}
