import { deliveryBackoff, validRetryAfter } from '../delivery/retry-schedule.ts';
import type { Delivery, DeliveryAttempt, DeliveryStatus } from '../domain/delivery.ts';
import type { Subscription } from '../domain/subscription.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../platform/logger.ts';
import {
  AlertsDeadLettered,
  AlertsFailed,
  AlertsSent,
  AlertsThrottled,
  ChannelDimension,
  DeliveryLatency,
  type Metrics,
} from '../platform/metrics.ts';
import type {
  AttemptBatch,
  DeliveryNext,
  DeliveryRef,
  DeliveryRepository,
} from '../store/delivery-repository.ts';
import { isConditionFailure } from '../store/dynamo.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import { type ChannelDeps, type SendOutcome, sendEmailAttempt, sendWebhookAttempt } from './channels.ts';
import { applyHealth, healthSignalOf } from './subscription-health.ts';

export interface DeliverDeps extends ChannelDeps {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  retrySchedule: readonly number[];
  logger: Logger;
  metrics: Metrics;
  clock?: () => Date;
}

/**
 * How long a claimed attempt stays another worker's: longer than any one send (the webhook timeout
 * is 15 s, the delivery function's 30 s), shorter than the queue's visibility timeout, so the
 * message of a worker that died mid-attempt finds the claim expired when it comes back.
 */
export const ATTEMPT_LEASE_MS = 60_000;

/** A throttled attempt waits 30–60 s (spread, so a burst does not come back as one). */
const throttleDelaySeconds = () => 30 + Math.floor(Math.random() * 31);

/**
 * How many times in a row a webhook receiver's 429 defers a delivery without using up a step of
 * its schedule. A mail provider's throttling is ours to wait out; a receiver that answers 429 for
 * ever must not hold a delivery for ever, so past this its 429s count as failed attempts (their
 * Retry-After still honoured) and the schedule runs out as for any failure.
 */
export const MAX_WEBHOOK_THROTTLES = 10;

/** Whether an attempt's outcome is backpressure this delivery may still wait out. */
function isBackpressure(outcome: SendOutcome, delivery: Delivery): boolean {
  if (!outcome.throttled || delivery.kind === 'ping') return false;
  return delivery.channel !== 'webhook' || delivery.scheduleStart < MAX_WEBHOOK_THROTTLES;
}

/** The wait after backpressure: what the receiver asked for (Retry-After, capped), else 30–60 s. */
const backpressureDelaySeconds = (retryAfter: number | undefined) =>
  validRetryAfter(retryAfter) || throttleDelaySeconds();

/** What the caller (SQS handler or local worker) should do with the message. */
export type DeliveryOutcome =
  | { kind: 'done'; status?: DeliveryStatus }
  | { kind: 'retry'; delaySeconds: number };

export interface AttemptOptions {
  /** Attempt now even if the record says it is due later (a test ping answered in the request). */
  ignoreSchedule?: boolean;
  /**
   * The record as its writer just stored it (never attempted), so it need not be read back. Only
   * the process that wrote it may pass it; the conditional attempt write still guards against a
   * second recorder.
   */
  fresh?: Delivery;
  /**
   * Store the attempt in this batch (written when the caller flushes it) instead of with a
   * conditional write of its own. Only for a caller that attempts the delivery alone and keeps it
   * from being attempted again until the batch is flushed (the local worker); see
   * DeliveryRepository.attemptBatch.
   */
  recordInto?: AttemptBatch;
}

/** Reads a subscription; undefined when it no longer exists. */
async function readSubscription(deps: Pick<DeliverDeps, 'subscriptions'>, id: string) {
  try {
    return await deps.subscriptions.get(id);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Whether a delivery of this kind may still go to a subscription in this state. */
function mayDeliver(delivery: Delivery, subscription: Subscription): boolean {
  if (delivery.kind === 'subscription.confirm') return subscription.status === 'pending';
  if (delivery.kind === 'ping') return subscription.status !== 'unsubscribed';
  return subscription.status === 'active';
}

/**
 * Makes one attempt at a delivery and records it. Idempotent: a delivery no longer pending is
 * left alone, and the attempt is recorded only if no other worker recorded one meanwhile.
 */
export async function attemptDelivery(
  deps: DeliverDeps,
  ref: DeliveryRef,
  options: AttemptOptions = {},
): Promise<DeliveryOutcome> {
  const now = (deps.clock ?? (() => new Date()))();
  const record = options.fresh
    ? { delivery: options.fresh, attemptCount: 0 }
    : await deps.deliveries.get(ref);
  if (record?.delivery.status !== 'pending') return { kind: 'done' };
  const { delivery, attemptCount } = record;
  const dueIn = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) - now.getTime() : 0;
  if (dueIn > 1000 && !options.ignoreSchedule)
    return { kind: 'retry', delaySeconds: Math.ceil(dueIn / 1000) };
  const log = deps.logger.child({
    deliveryId: delivery.id,
    subscriptionId: delivery.subscriptionId,
    kind: delivery.kind,
  });

  const subscription = await readSubscription(deps, delivery.subscriptionId);
  if (!subscription || !mayDeliver(delivery, subscription)) {
    await settle(deps, options, delivery, attemptCount, undefined, { status: 'skipped' }, now);
    log.info('delivery skipped', { subscriptionStatus: subscription?.status ?? 'missing' });
    return { kind: 'done', status: 'skipped' };
  }

  // Claim, then send: a second message for this delivery (same batch, another worker) sends nothing.
  // A caller recording into a batch attempts the delivery alone already (the local worker).
  if (!options.recordInto && !(await deps.deliveries.claim(ref, attemptCount, now, ATTEMPT_LEASE_MS))) {
    log.info('delivery attempt claimed by another worker');
    return { kind: 'done' };
  }
  const sent: SendOutcome =
    delivery.channel === 'webhook'
      ? await sendWebhookAttempt(deps, subscription, delivery, now)
      : await sendEmailAttempt(deps, subscription, delivery, now);
  // Past its bound, or for a ping (answered to its caller at once), a "slow down" is a failed
  // attempt like any other (and health sees it).
  const outcome = sent.throttled && !isBackpressure(sent, delivery) ? { ...sent, throttled: false } : sent;
  const attempt: DeliveryAttempt = {
    at: now.toISOString(),
    latencyMs: outcome.latencyMs,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
  const dimensions = { [ChannelDimension]: delivery.channel };

  let next: DeliveryNext;
  let result: DeliveryOutcome;
  if (outcome.ok) {
    next = { status: 'delivered' };
    result = { kind: 'done', status: 'delivered' };
    deps.metrics.count(AlertsSent, 1, dimensions);
    deps.metrics.timing(
      DeliveryLatency,
      Math.max(0, now.getTime() - Date.parse(delivery.createdAt)) + outcome.latencyMs,
      dimensions,
    );
  } else if (outcome.gone) {
    next = { status: 'gone' };
    result = { kind: 'done', status: 'gone' };
  } else if (outcome.throttled) {
    // Backpressure, not a receiver failure: retried later without using up a step of the schedule.
    deps.metrics.count(AlertsThrottled, 1, dimensions);
    const delaySeconds = backpressureDelaySeconds(outcome.retryAfter);
    next = {
      status: 'pending',
      dueAt: new Date(now.getTime() + delaySeconds * 1000).toISOString(),
      scheduleStart: delivery.scheduleStart + 1,
    };
    result = { kind: 'retry', delaySeconds };
  } else {
    deps.metrics.count(AlertsFailed, 1, dimensions);
    // A test ping is one attempt, answered to the caller; it is not retried.
    const backoff: ReturnType<typeof deliveryBackoff> =
      delivery.kind === 'ping'
        ? { exhausted: true }
        : deliveryBackoff({
            attempt: attemptCount + 1 - delivery.scheduleStart,
            schedule: deps.retrySchedule,
            retryAfter: outcome.retryAfter,
          });
    if ('exhausted' in backoff) {
      next = { status: 'dead' };
      result = { kind: 'done', status: 'dead' };
      if (delivery.kind !== 'ping') deps.metrics.count(AlertsDeadLettered, 1, dimensions);
    } else {
      next = {
        status: 'pending',
        dueAt: new Date(now.getTime() + backoff.delaySeconds * 1000).toISOString(),
      };
      result = { kind: 'retry', delaySeconds: backoff.delaySeconds };
    }
  }
  const recorded = await settle(deps, options, delivery, attemptCount, attempt, next, now);
  if (!recorded) return { kind: 'done' };
  log.info('delivery attempt', {
    status: outcome.status,
    error: outcome.error,
    latencyMs: outcome.latencyMs,
    outcome: next.status,
    attempt: attemptCount + 1,
  });
  // A ping is the owner's own test. A confirmation can only be refused (which disables its pending
  // subscription); nextHealth leaves pending subscriptions alone otherwise.
  const signal = delivery.kind === 'ping' ? undefined : healthSignalOf(outcome, now);
  if (signal) await applyHealth(healthDeps(deps), subscription, signal, now);
  return result;
}

const healthDeps = (deps: DeliverDeps) => ({
  subscriptions: deps.subscriptions,
  logger: deps.logger,
  notices: { mail: deps.mail, mailFrom: deps.mailFrom, publicUrl: deps.publicUrl },
});

/** Records the attempt; false when another worker recorded one first (then this result is dropped). */
async function settle(
  deps: DeliverDeps,
  options: AttemptOptions,
  delivery: Delivery,
  attemptCount: number,
  attempt: DeliveryAttempt | undefined,
  next: DeliveryNext,
  now: Date,
): Promise<boolean> {
  if (options.recordInto) {
    options.recordInto.add(delivery, attempt, next, now);
    return true;
  }
  try {
    await deps.deliveries.recordAttempt(delivery, attemptCount, attempt, next, now);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type { DeliveryRef };
