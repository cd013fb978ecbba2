import { classifyMailFailure, isMailThrottling } from '../delivery/email/mail-failure.ts';
import { renderAlertEmail } from '../delivery/email/render.ts';
import { renderConfirmationEmail } from '../delivery/email/render-notices.ts';
import type { MailTransport } from '../delivery/email/transport.ts';
import type { AlertEvent } from '../delivery/email/types.ts';
import { assertSafeWebhookUrl, type Resolver } from '../delivery/ssrf-guard.ts';
import { type SendWebhookResult, sendWebhook } from '../delivery/webhook-sender.ts';
import { signWebhook } from '../delivery/webhook-signature.ts';
import type { AlertPayload, Delivery } from '../domain/delivery.ts';
import { describeFilter, liveSecrets, type Subscription } from '../domain/subscription.ts';
import { openSecret, signLinkToken } from '../domain/tokens.ts';
import { UnsafeTargetError } from '../errors.ts';
import { listEmailFor } from './list-mails.ts';

/**
 * The outcome of one attempt on any channel (a webhook's, without the receiver's reply text).
 * `throttled`: the provider asked us to slow down; the receiver did nothing wrong.
 * `ours`: it failed on our side of the mail (relay, SES account or configuration): retried as any
 * failure, but no mark against the subscription.
 * `gone` with `refusal`: the receiver refused for good, in words for the subscription's statusReason.
 * `confirmedByEvents`: accepted by SES; whether it arrived comes later as an SES event.
 */
export type SendOutcome = Omit<SendWebhookResult, 'responseBody'> & {
  throttled?: boolean;
  ours?: boolean;
  refusal?: string;
  confirmedByEvents?: boolean;
};

export { isMailThrottling };

export interface ChannelDeps {
  mail: MailTransport;
  mailFrom: string;
  publicUrl: string;
  tokenKey: () => Promise<Uint8Array>;
  resolve: Resolver;
  allowLoopbackWebhooks: boolean;
  webhookTimeoutMs?: number;
}

/** How long an email confirmation link stays valid. */
const CONFIRM_TTL_MS = 7 * 24 * 3600 * 1000;

/** One signed POST to the subscription's URL, to the addresses checked just now (DNS may have changed since subscribing). */
export async function sendWebhookAttempt(
  deps: ChannelDeps,
  subscription: Subscription,
  delivery: Delivery,
  now: Date,
): Promise<SendOutcome> {
  const started = performance.now();
  let target: Awaited<ReturnType<typeof assertSafeWebhookUrl>>;
  try {
    target = await assertSafeWebhookUrl(subscription.url!, {
      allowLoopback: deps.allowLoopbackWebhooks,
      resolve: deps.resolve,
    });
  } catch (error) {
    const message =
      error instanceof UnsafeTargetError
        ? `target refused: ${error.message}`
        : `DNS: ${(error as Error).message}`;
    return { ok: false, error: message, latencyMs: Math.round(performance.now() - started), gone: false };
  }
  const key = await deps.tokenKey();
  const secrets = liveSecrets(subscription.secrets, now).map((secret) => openSecret(key, secret.sealed));
  const headers = signWebhook({ id: delivery.id, timestamp: now, body: delivery.body, secrets });
  const { responseBody: _reply, ...outcome } = await sendWebhook({
    url: target.url,
    headers,
    body: delivery.body,
    addresses: target.addresses,
    ...(deps.webhookTimeoutMs ? { timeoutMs: deps.webhookTimeoutMs } : {}),
  });
  // 429 Too Many Requests: the receiver asks us to slow down (deliver.ts bounds how long).
  return outcome.status === 429 ? { ...outcome, throttled: true } : outcome;
}

/** Renders and sends the mail a delivery stands for (an alert or the confirmation request). */
export async function sendEmailAttempt(
  deps: ChannelDeps,
  subscription: Subscription,
  delivery: Delivery,
  now: Date,
): Promise<SendOutcome> {
  const started = performance.now();
  const key = await deps.tokenKey();
  const address = subscription.address!;
  const mail =
    delivery.kind === 'subscription.confirm'
      ? renderConfirmationEmail(address, {
          confirmUrl: `${deps.publicUrl}/v1/subscriptions/confirm?token=${signLinkToken(key, 'confirm', subscription.id, new Date(now.getTime() + CONFIRM_TTL_MS))}`,
          filterSummary: describeFilter(subscription.filter),
        })
      : (listEmailFor(deps, key, subscription, delivery) ??
        renderAlertEmail(address, alertEmailInput(deps, key, subscription, delivery)));
  const tags = {
    subscription: subscription.id,
    delivery: delivery.id,
    mail: delivery.kind === 'subscription.confirm' ? 'confirmation' : 'alert',
  };
  try {
    const sent = await deps.mail.send({ ...mail, from: deps.mailFrom, tags });
    return {
      ok: true,
      gone: false,
      latencyMs: Math.round(performance.now() - started),
      ...(sent.confirmedByEvents ? { confirmedByEvents: true } : {}),
    };
  } catch (error) {
    const failure = classifyMailFailure(error);
    const latencyMs = Math.round(performance.now() - started);
    const detail = failure.detail.slice(0, MAX_DETAIL);
    switch (failure.kind) {
      case 'throttled':
        return { ok: false, gone: false, throttled: true, error: `mail (throttled): ${detail}`, latencyMs };
      case 'refused':
        return {
          ok: false,
          gone: true,
          refusal: `the address bounced permanently: ${detail}`,
          error: `mail (refused for good): ${detail}`,
          latencyMs,
        };
      case 'ours':
        return { ok: false, gone: false, ours: true, error: `mail (our side): ${detail}`, latencyMs };
      default:
        return { ok: false, gone: false, error: `mail: ${detail}`, latencyMs };
    }
  }
}

/** How much of a mail server's reply is kept in the delivery log and a status reason. */
const MAX_DETAIL = 300;

function alertEmailInput(deps: ChannelDeps, key: Uint8Array, subscription: Subscription, delivery: Delivery) {
  const payload = JSON.parse(delivery.body) as AlertPayload;
  const event = payload.data.event!;
  return {
    type: payload.type as 'event.created' | 'event.updated' | 'event.deleted',
    event: event as AlertEvent,
    ...(payload.data.previous ? { previous: payload.data.previous as Record<string, unknown> } : {}),
    // The event's page, for the reader; the JSON is one link away from it.
    eventUrl: `${deps.publicUrl}/events/${event.id}`,
    apiUrl: `${deps.publicUrl}/v1/events/${event.id}`,
    unsubscribeUrl: `${deps.publicUrl}/v1/unsubscribe?token=${signLinkToken(key, 'unsubscribe', subscription.id)}`,
    manageNote: `You get this because you subscribed to ${describeFilter(subscription.filter)}.`,
  };
}
