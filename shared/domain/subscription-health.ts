/**
 * One health model for every channel. Whatever happened to a delivery — a webhook's answer, an SMTP
 * server's reply, an SES bounce, complaint or delivery event arriving later — is first reduced to a
 * HealthSignal; `nextHealth` turns a subscription and a signal into its next state. Pure.
 */
import type { Subscription } from './subscription.ts';

/** A subscription whose deliveries have failed without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;

/**
 * `lastDeliveryAt` is rewritten only when it is at least this much older than a new success (or when
 * the success ends a failing run), so a subscriber who gets many alerts costs no write per alert.
 */
export const LAST_DELIVERY_RESOLUTION_MS = 3600 * 1000;

export type HealthSignal =
  /** The receiver took it: a webhook's 2xx, an SMTP server's 250, SES's Delivery event. */
  | { kind: 'delivered'; at: Date }
  /** It failed in a way that may pass: webhook 4xx/5xx/timeouts, SMTP 4xx, a transient SES bounce. */
  | { kind: 'failed'; at: Date; detail?: string }
  /** The receiver refused for good: webhook 410, SMTP 5xx for the address, a permanent bounce, a complaint. */
  | { kind: 'refused'; reason: string; detail?: string };

/** The states whose health is tracked; a pending subscription only for refusals (of its confirmation mail). */
const tracked = (subscription: Subscription, signal: HealthSignal) =>
  subscription.status === 'active' || (subscription.status === 'pending' && signal.kind === 'refused');

/**
 * The subscription's next state after a signal, or undefined when nothing changes.
 * - refused: disabled at once, with the reason (the failing run, if any, is kept for the record).
 * - failed: opens a failing run (`failingSince`), or disables the subscription once the run has
 *   lasted DISABLE_AFTER_MS. A failure from before the last delivery (an event arriving late) is ignored.
 * - delivered: ends a failing run that began no later than the success, and moves `lastDeliveryAt`
 *   forward (see LAST_DELIVERY_RESOLUTION_MS).
 */
export function nextHealth(
  subscription: Subscription,
  signal: HealthSignal,
  now: Date,
): Subscription | undefined {
  if (!tracked(subscription, signal)) return undefined;
  const next = (changes: Partial<Subscription>, clearFailing = false): Subscription => {
    const state = {
      ...subscription,
      ...changes,
      updatedAt: now.toISOString(),
      version: subscription.version + 1,
    };
    if (clearFailing) delete state.failingSince;
    return state;
  };
  const { failingSince, lastDeliveryAt } = subscription;

  if (signal.kind === 'refused') return next({ status: 'disabled', statusReason: signal.reason });

  if (signal.kind === 'failed') {
    const at = signal.at.getTime();
    if (lastDeliveryAt && at < Date.parse(lastDeliveryAt)) return undefined;
    if (!failingSince) return next({ failingSince: signal.at.toISOString() });
    if (at - Date.parse(failingSince) < DISABLE_AFTER_MS) return undefined;
    return next({
      status: 'disabled',
      statusReason: `deliveries failed continuously since ${failingSince}${signal.detail ? ` (last: ${signal.detail})` : ''}`,
    });
  }

  const at = signal.at.getTime();
  const endsRun = failingSince !== undefined && Date.parse(failingSince) <= at;
  const last = lastDeliveryAt ? Date.parse(lastDeliveryAt) : undefined;
  const moves = last === undefined || at - last >= (endsRun ? 0 : LAST_DELIVERY_RESOLUTION_MS);
  if (!endsRun && !moves) return undefined;
  return next(last === undefined || at > last ? { lastDeliveryAt: signal.at.toISOString() } : {}, endsRun);
}
