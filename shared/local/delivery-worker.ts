import { attemptDelivery, type DeliverDeps } from '../alerts/deliver.ts';
import type { Delivery } from '../domain/delivery.ts';
import type { DeliveryRef } from '../store/delivery-repository.ts';

const ROUND_SIZE = 50;
/** Deliveries kept in memory for the worker at most; beyond that they are read from the `due` index. */
const MAX_HANDED_OVER = 5_000;
/**
 * The `due` index is read at least this often (retries falling due, work left by a previous run),
 * and at once when something was enqueued that was not handed over (a replay, a `…/retry`).
 */
const DUE_SCAN_INTERVAL_MS = 500;

interface Job {
  ref: DeliveryRef;
  fresh?: Delivery;
}

/**
 * The local stand-in for SQS. Deliveries that fan-out in this process has just recorded are handed
 * over in memory and attempted without being read back; everything else — retries, deliveries left
 * by a previous run, a `…/retry` — is taken from the `due` index. Durable by construction: a
 * delivery stays in the index until an attempt settles it, whichever way it was picked up.
 *
 * Each delivery of a round is attempted once, by one lane; with a single-writer repository the
 * round's attempts are stored in batches, and a delivery counts as in flight until its batch is
 * written, so it cannot be picked up again from the index before its attempt is stored.
 */
export function createDeliveryWorker(deps: DeliverDeps, concurrency = 8) {
  const inFlight = new Set<string>();
  const handedOver = new Map<string, Delivery>();
  /** Deliveries fan-out is recording now: their hand-over follows, so the index scan leaves them. */
  const reserved = new Map<string, number>();
  let lastDueScan = Number.NEGATIVE_INFINITY;
  let dueScanWanted = true;

  async function nextJobs(): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const [id, fresh] of handedOver) {
      if (jobs.length === ROUND_SIZE) break;
      handedOver.delete(id);
      if (!inFlight.has(id))
        jobs.push({ ref: { subscriptionId: fresh.subscriptionId, deliveryId: id }, fresh });
    }
    const now = Date.now();
    if (jobs.length < ROUND_SIZE && (dueScanWanted || now - lastDueScan >= DUE_SCAN_INTERVAL_MS)) {
      lastDueScan = now;
      dueScanWanted = false;
      const taken = new Set(jobs.map((job) => job.ref.deliveryId));
      for (const ref of await deps.deliveries.due(new Date(now), ROUND_SIZE)) {
        if (inFlight.has(ref.deliveryId) || taken.has(ref.deliveryId) || reserved.has(ref.deliveryId))
          continue;
        // Handed over but not taken yet (a backlog): attempt it once, from the copy in hand.
        const fresh = handedOver.get(ref.deliveryId);
        handedOver.delete(ref.deliveryId);
        jobs.push(fresh ? { ref, fresh } : { ref });
      }
      // A full page: there may be more due right now.
      if (jobs.length === ROUND_SIZE) dueScanWanted = true;
    }
    return jobs;
  }

  async function deliverDue(): Promise<boolean> {
    const jobs = await nextJobs();
    if (jobs.length === 0) return false;
    for (const job of jobs) inFlight.add(job.ref.deliveryId);
    const batch = deps.deliveries.batched ? deps.deliveries.attemptBatch() : undefined;
    try {
      let next = 0;
      const lane = async () => {
        while (next < jobs.length) {
          const { ref, fresh } = jobs[next++]!;
          try {
            await attemptDelivery(deps, ref, {
              ...(fresh ? { fresh } : {}),
              ...(batch ? { recordInto: batch } : {}),
            });
          } catch (error) {
            deps.logger.error('delivery attempt failed; it stays due', { deliveryId: ref.deliveryId, error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
      // Until this resolves the round's attempts may exist only here; if it fails, the deliveries
      // are still due in the index and are attempted again (under the same webhook-id).
      await batch?.flush();
    } finally {
      for (const job of jobs) inFlight.delete(job.ref.deliveryId);
    }
    deps.metrics.flush();
    return true;
  }

  return {
    deliverDue,
    /**
     * Takes over deliveries recorded just now by this process, up to MAX_HANDED_OVER in hand: a
     * large fan-out records faster than deliveries go out, and the rest wait in the `due` index.
     */
    handOver(fresh: Delivery[]): void {
      for (const delivery of fresh) {
        if (handedOver.size >= MAX_HANDED_OVER) {
          dueScanWanted = true;
          return;
        }
        handedOver.set(delivery.id, delivery);
      }
    },
    /** Something became due that was not handed over: read the index in the next round. */
    expectDue(): void {
      dueScanWanted = true;
    },
    /** Keeps deliveries being recorded out of the index scan until `release` (after their hand-over). */
    reserve(deliveryIds: string[]): () => void {
      for (const id of deliveryIds) reserved.set(id, (reserved.get(id) ?? 0) + 1);
      return () => {
        for (const id of deliveryIds) {
          const count = (reserved.get(id) ?? 1) - 1;
          if (count > 0) reserved.set(id, count);
          else reserved.delete(id);
        }
      };
    },
  };
}
