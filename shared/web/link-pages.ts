/**
 * The pages people open from their mail: confirm a subscription, unsubscribe. A GET only shows
 * (mail security scanners follow links, and must confirm or unsubscribe no one); the button POSTs.
 */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { SubscriptionService } from '../alerts/subscription-service.ts';
import type { Subscription } from '../domain/subscription.ts';
import { NotFoundError } from '../errors.ts';
import { filterInWords } from './filter-words.ts';
import { type Html, htmlResponse, layout } from './layout.ts';

const page = (c: Context, title: string, main: Html, status: ContentfulStatusCode = 200) =>
  htmlResponse(
    c,
    layout({ title, main: html`<h1>${title}</h1>${main}`, noindex: true }),
    status,
    {},
    {
      private: true,
    },
  );

/** "alerts about kind Missile launch to you@example.org" */
const about = (subscription: Subscription) =>
  html`alerts about <strong>${filterInWords(subscription.filter)}</strong> to <strong>${subscription.address ?? subscription.url ?? ''}</strong>`;

const home = html`<p><a href="/">Go to the timeline</a></p>`;

const linkPath = (path: string, token: string) => `${path}?${new URLSearchParams({ token })}`;

/** The link's subscription, or a 404 page for a link that is forged, expired or names nothing. */
async function linked(
  c: Context,
  service: SubscriptionService,
  purpose: 'confirm' | 'unsubscribe',
  token: string,
): Promise<Subscription | Response> {
  try {
    return await service.linked(purpose, token);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return page(c, 'Link not valid', html`<p>${error.message}.</p>${home}`, 404);
  }
}

/** What a confirmation link says of a subscription that is no longer waiting for it. */
function settled(c: Context, subscription: Subscription): Promise<Response> {
  if (subscription.status === 'active') {
    return page(
      c,
      'Already confirmed',
      html`<p>This subscription is active: ${about(subscription)}.</p>${home}`,
    );
  }
  if (subscription.status === 'unsubscribed') {
    return page(
      c,
      'This subscription was unsubscribed',
      html`<p>It sent ${about(subscription)} until it was unsubscribed; this link does not start it again. To get alerts again, subscribe anew from the timeline.</p>${home}`,
    );
  }
  return page(
    c,
    'This subscription is disabled',
    html`<p>It was to send ${about(subscription)}.${subscription.statusReason ? ` ${subscription.statusReason}.` : ''}</p>${home}`,
  );
}

/** GET /v1/subscriptions/confirm: the subscription and a Confirm button; nothing changes. */
export async function confirmPage(
  c: Context,
  service: SubscriptionService,
  token: string,
): Promise<Response> {
  const subscription = await linked(c, service, 'confirm', token);
  if (subscription instanceof Response) return subscription;
  if (subscription.status !== 'pending') return settled(c, subscription);
  return page(
    c,
    'Confirm your subscription',
    html`<p>Someone, hopefully you, asked for ${about(subscription)}.</p>
<form method="post" action="${linkPath('/v1/subscriptions/confirm', token)}"><button type="submit">Confirm</button></form>
<p class="muted">If this was not you, close this page: nothing is sent unless the subscription is confirmed.</p>`,
  );
}

/** POST /v1/subscriptions/confirm: activates a pending subscription. */
export async function confirmAction(
  c: Context,
  service: SubscriptionService,
  token: string,
): Promise<Response> {
  const before = await linked(c, service, 'confirm', token);
  if (before instanceof Response) return before;
  if (before.status !== 'pending') return settled(c, before);
  const subscription = await service.confirm(token);
  if (subscription.status !== 'active') return settled(c, subscription);
  return page(
    c,
    'Subscription confirmed',
    html`<p>From now on, ${about(subscription)}. Every alert mail has a link to unsubscribe.</p>${home}`,
  );
}

/** GET /v1/unsubscribe: names the address and the filter, with an Unsubscribe button; nothing changes. */
export async function unsubscribePage(
  c: Context,
  service: SubscriptionService,
  token: string,
): Promise<Response> {
  const subscription = await linked(c, service, 'unsubscribe', token);
  if (subscription instanceof Response) return subscription;
  if (subscription.status === 'unsubscribed') {
    return page(c, 'Already unsubscribed', html`<p>No more ${about(subscription)} are sent.</p>${home}`);
  }
  return page(
    c,
    'Unsubscribe from Dateline alerts',
    html`<p>Press the button to stop ${about(subscription)}.</p>
<form method="post" action="${linkPath('/v1/unsubscribe', token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
  );
}

/** POST /v1/unsubscribe: the page's button, and RFC 8058 one-click from the mail client. */
export async function unsubscribeAction(
  c: Context,
  service: SubscriptionService,
  token: string,
): Promise<Response> {
  const subscription = await linked(c, service, 'unsubscribe', token);
  if (subscription instanceof Response) return subscription;
  await service.unsubscribe(subscription.id);
  return page(c, 'Unsubscribed', html`<p>No more ${about(subscription)} will be sent.</p>${home}`);
}
