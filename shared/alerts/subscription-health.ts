import { renderDisabledNoticeEmail } from '../delivery/email/render-notices.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import type { Subscription } from '../domain/subscription.ts';
import { describeFilter } from '../domain/subscription.ts';
import type { Logger } from '../platform/logger.ts';
import { isConditionFailure } from '../store/dynamo.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import type { SendOutcome } from './channels.ts';

/** A subscription whose deliveries have failed without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;

interface HealthDeps {
  subscriptions: SubscriptionRepository;
  mail: MailTransport;
  mailFrom: string;
  publicUrl: string;
  logger: Logger;
}

/** The subscription's next state after an attempt, or undefined when nothing changes. Pure. */
export function nextHealth(
  subscription: Subscription,
  outcome: SendOutcome,
  now: Date,
): Subscription | undefined {
  const at = now.toISOString();
  const bump = (changes: Partial<Subscription>): Subscription => {
    const next = { ...subscription, ...changes, updatedAt: at, version: subscription.version + 1 };
    if (changes.failingSince === undefined && 'failingSince' in changes) delete next.failingSince;
    return next;
  };
  if (subscription.status !== 'active') return undefined;
  if (outcome.gone) {
    return bump({
      status: 'disabled',
      statusReason: 'the receiver answered 410 Gone',
      failingSince: undefined,
    });
  }
  if (outcome.ok) return subscription.failingSince ? bump({ failingSince: undefined }) : undefined;
  if (!subscription.failingSince) return bump({ failingSince: at });
  if (now.getTime() - Date.parse(subscription.failingSince) >= DISABLE_AFTER_MS) {
    return bump({
      status: 'disabled',
      statusReason: `deliveries failed continuously since ${subscription.failingSince}`,
    });
  }
  return undefined;
}

/** Keeps the failing-since mark, disables on 410 or after days of failure, and tells the owner. */
export async function noteDeliveryHealth(
  deps: HealthDeps,
  subscription: Subscription,
  outcome: SendOutcome,
  now: Date,
): Promise<void> {
  const next = nextHealth(subscription, outcome, now);
  if (!next) return;
  try {
    await deps.subscriptions.save(subscription, next);
  } catch (error) {
    if (isConditionFailure(error)) return; // changed meanwhile; the next attempt re-evaluates
    throw error;
  }
  if (next.status === 'disabled') {
    deps.logger.warn('subscription disabled', { subscriptionId: next.id, reason: next.statusReason });
    await tellOwner(deps, subscription, next, outcome, now);
  }
}

async function tellOwner(
  deps: HealthDeps,
  before: Subscription,
  after: Subscription,
  outcome: SendOutcome,
  now: Date,
): Promise<void> {
  const owner = after.channel === 'webhook' ? after.contactEmail : undefined;
  if (!owner) return;
  const mail = renderDisabledNoticeEmail(owner, {
    subscriptionId: after.id,
    target: after.url ?? '',
    filterSummary: describeFilter(after.filter),
    failingSince: before.failingSince ?? now.toISOString(),
    disabledAt: now.toISOString(),
    ...(outcome.error || outcome.status ? { lastError: outcome.error ?? `HTTP ${outcome.status}` } : {}),
    manageUrl: `${deps.publicUrl}/v1/subscriptions/${after.id}`,
  });
  try {
    await deps.mail.send({ ...mail, from: deps.mailFrom });
  } catch (error) {
    deps.logger.error('could not tell the owner of a disabled subscription', {
      subscriptionId: after.id,
      error,
    });
  }
}
