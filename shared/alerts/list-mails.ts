/**
 * The mails of deliveries that are not one alert: a digest (one mail for a period's changes) and a
 * past event sent again by a replay. Built from the delivery's payload, as alert mails are.
 */
import { renderDigestEmail, renderReplayEmail } from '../delivery/email/render-digest.ts';
import type { AlertEvent, OutgoingEmail } from '../delivery/email/types.ts';
import type { AlertPayload, Delivery } from '../domain/delivery.ts';
import type { DigestPayload } from '../domain/digest.ts';
import { describeFilter, type Subscription } from '../domain/subscription.ts';
import { signLinkToken } from '../domain/tokens.ts';
import type { ChannelDeps } from './channels.ts';

/** The mail for a digest or a replayed event; undefined for any other delivery (an alert, a notice). */
export function listEmailFor(
  deps: Pick<ChannelDeps, 'publicUrl'>,
  key: Uint8Array,
  subscription: Subscription,
  delivery: Delivery,
): OutgoingEmail | undefined {
  const address = subscription.address!;
  const footer = {
    unsubscribeUrl: `${deps.publicUrl}/v1/unsubscribe?token=${signLinkToken(key, 'unsubscribe', subscription.id)}`,
    manageNote: `You get this because you subscribed to ${describeFilter(subscription.filter)}.`,
  };
  const eventUrl = (id: string) => `${deps.publicUrl}/events/${id}`;
  if (delivery.kind === 'event.digest') {
    const { data } = JSON.parse(delivery.body) as DigestPayload;
    return renderDigestEmail(address, {
      ...footer,
      frequency: data.frequency,
      period: data.period,
      omitted: data.omitted,
      timelineUrl: `${deps.publicUrl}/v1/events`,
      items: data.items.map((item) => ({
        status: item.status,
        event: item.event as AlertEvent,
        changes: item.changes,
        // A deleted event's page no longer resolves.
        ...(item.status === 'deleted' ? {} : { eventUrl: eventUrl(item.event.id) }),
      })),
    });
  }
  if (delivery.kind !== 'event.created' || !delivery.replayId) return undefined;
  const { data } = JSON.parse(delivery.body) as AlertPayload;
  if (!data.event) return undefined;
  return renderReplayEmail(address, {
    ...footer,
    event: data.event as AlertEvent,
    eventUrl: eventUrl(data.event.id),
    replayId: delivery.replayId,
  });
}
