import { renderDisabledNoticeEmail } from '../delivery/email/render-notices.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import type { Subscription } from '../domain/subscription.ts';
import { describeFilter } from '../domain/subscription.ts';
import { type HealthSignal, nextHealth } from '../domain/subscription-health.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../platform/logger.ts';
import { isConditionFailure } from '../store/dynamo.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import type { SendOutcome } from './channels.ts';

export { DISABLE_AFTER_MS } from '../domain/subscription-health.ts';

export interface HealthDeps {
  subscriptions: SubscriptionRepository;
  logger: Logger;
  /** Where the owner of a disabled webhook is told; without it nobody is (the mail-events function). */
  notices?: { mail: MailTransport; mailFrom: string; publicUrl: string };
}

/**
 * What one send attempt says about the receiver's health; undefined when it says nothing: the
 * provider throttled us, the failure was on our side, or SES took the mail and will report on it
 * through its events.
 */
export function healthSignalOf(outcome: SendOutcome, now: Date): HealthSignal | undefined {
  if (outcome.throttled || outcome.ours) return undefined;
  if (outcome.ok) return outcome.confirmedByEvents ? undefined : { kind: 'delivered', at: now };
  const detail = outcome.error ?? (outcome.status !== undefined ? `HTTP ${outcome.status}` : undefined);
  if (outcome.gone) {
    return {
      kind: 'refused',
      reason: outcome.refusal ?? 'the receiver answered 410 Gone',
      ...(detail ? { detail } : {}),
    };
  }
  return { kind: 'failed', at: now, ...(detail ? { detail } : {}) };
}

/** What applying a signal did: `conflict` when the subscription kept changing under it. */
export type HealthChange = 'changed' | 'unchanged' | 'missing' | 'conflict';

const SAVE_TRIES = 3;

/**
 * Applies a health signal to a subscription: saves its next state (reading it again and
 * re-evaluating when another writer changed it meanwhile) and, when that disables a webhook, tells
 * its owner. A signal that changes nothing writes nothing.
 */
export async function applyHealth(
  deps: HealthDeps,
  subscription: Subscription,
  signal: HealthSignal,
  now: Date,
): Promise<HealthChange> {
  let current = subscription;
  for (let attempt = 0; attempt < SAVE_TRIES; attempt++) {
    const next = nextHealth(current, signal, now);
    if (!next) return 'unchanged';
    try {
      await deps.subscriptions.save(current, next);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      try {
        current = await deps.subscriptions.get(current.id);
      } catch (readError) {
        if (readError instanceof NotFoundError) return 'missing';
        throw readError;
      }
      continue;
    }
    if (next.status === 'disabled') {
      deps.logger.warn('subscription disabled', { subscriptionId: next.id, reason: next.statusReason });
      await tellOwner(deps, current, next, signal, now);
    }
    return 'changed';
  }
  return 'conflict';
}

async function tellOwner(
  deps: HealthDeps,
  before: Subscription,
  after: Subscription,
  signal: HealthSignal,
  now: Date,
): Promise<void> {
  const owner = after.channel === 'webhook' ? after.contactEmail : undefined;
  if (!owner || !deps.notices) return;
  const { mail: transport, mailFrom, publicUrl } = deps.notices;
  const mail = renderDisabledNoticeEmail(owner, {
    subscriptionId: after.id,
    target: after.url ?? '',
    filterSummary: describeFilter(after.filter),
    failingSince: before.failingSince ?? now.toISOString(),
    disabledAt: now.toISOString(),
    ...(signal.kind !== 'delivered' && signal.detail ? { lastError: signal.detail } : {}),
    manageUrl: `${publicUrl}/v1/subscriptions/${after.id}`,
  });
  try {
    await transport.send({ ...mail, from: mailFrom });
  } catch (error) {
    deps.logger.error('could not tell the owner of a disabled subscription', {
      subscriptionId: after.id,
      error,
    });
  }
}
