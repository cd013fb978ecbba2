import { attemptDelivery, type DeliverDeps } from '../alerts/deliver.ts';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryRef } from '../store/delivery-repository.ts';

const ROUND_SIZE = 50;

interface Job {
  ref: DeliveryRef;
  fresh?: Delivery;
}

/**
 * The local stand-in for SQS. Deliveries that fan-out in this process has just recorded are handed
 * over in memory and attempted without being read back; everything else — retries, deliveries left
 * by a previous run, a `…/retry` — is taken from the `due` index. Durable by construction: a
 * delivery stays in the index until an attempt settles it, whichever way it was picked up.
 */
export function createDeliveryWorker(deps: DeliverDeps, concurrency = 8) {
  const inFlight = new Set<string>();
  const handedOver = new Map<string, Delivery>();

  async function nextJobs(): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const [id, fresh] of handedOver) {
      if (jobs.length === ROUND_SIZE) break;
      handedOver.delete(id);
      if (!inFlight.has(id))
        jobs.push({ ref: { subscriptionId: fresh.subscriptionId, deliveryId: id }, fresh });
    }
    if (jobs.length < ROUND_SIZE) {
      const taken = new Set(jobs.map((job) => job.ref.deliveryId));
      for (const ref of await deps.deliveries.due(new Date(), ROUND_SIZE)) {
        if (inFlight.has(ref.deliveryId) || taken.has(ref.deliveryId)) continue;
        // Listed as due before its hand-over was taken: attempt it once, from the table.
        handedOver.delete(ref.deliveryId);
        jobs.push({ ref });
      }
    }
    return jobs;
  }

  async function deliverDue(): Promise<boolean> {
    const jobs = await nextJobs();
    if (jobs.length === 0) return false;
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const { ref, fresh } = jobs[next++]!;
        inFlight.add(ref.deliveryId);
        try {
          await attemptDelivery(deps, ref, fresh ? { fresh } : {});
        } catch (error) {
          deps.logger.error('delivery attempt failed; it stays due', { deliveryId: ref.deliveryId, error });
        } finally {
          inFlight.delete(ref.deliveryId);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
    deps.metrics.flush();
    return true;
  }

  return {
    deliverDue,
    /** Takes over deliveries recorded just now by this process. */
    handOver(fresh: Delivery[]): void {
      for (const delivery of fresh) handedOver.set(delivery.id, delivery);
    },
  };
}
