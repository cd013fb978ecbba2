import * as z from 'zod/mini';
import { NotFoundError } from '../errors.ts';
import { page, paragraph, unsubscribeForm } from './pages.ts';
import type { ApiRoutes, RouteSpec } from './route.ts';
import { lazy } from './schema-meta.ts';
import type { SubscriptionRoutesDeps } from './subscription-routes.ts';
import { tokenQuery } from './subscription-schemas.ts';

const htmlPage = lazy(() => z.string());
const html = (description: string) => ({ description, content: { 'text/html': { schema: htmlPage } } });

/** The links people follow from their mail: confirm a subscription, and unsubscribe (RFC 8058 one-click). */
export function registerLinkRoutes(api: ApiRoutes, deps: { subscriptions: SubscriptionRoutesDeps }): void {
  const { service: loadService } = deps.subscriptions;

  api.route(
    {
      method: 'get',
      path: '/v1/subscriptions/confirm',
      tags: ['Subscriptions'],
      summary: 'Confirm an email subscription (the link in the confirmation mail)',
      request: { query: tokenQuery },
      responses: { 200: html('Confirmed'), 404: html('Invalid or expired link') },
    },
    async (c, input) => {
      const service = await loadService();
      try {
        const subscription = await service.confirm(input.query.token);
        return c.html(
          page('Subscription confirmed', paragraph(`Alerts will now go to ${subscription.address}.`)),
          200,
        );
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        return c.html(page('Link not valid', paragraph(error.message)), 404);
      }
    },
  );

  const unsubscribeRoute = (method: 'get' | 'post'): RouteSpec<{ query: typeof tokenQuery }> => ({
    method,
    path: '/v1/unsubscribe',
    tags: ['Subscriptions'],
    summary: method === 'get' ? 'Unsubscribe page (link in every mail)' : 'One-click unsubscribe (RFC 8058)',
    request: { query: tokenQuery },
    responses: {
      200: html(method === 'get' ? 'A page with the unsubscribe button' : 'Unsubscribed'),
      404: html('Invalid link'),
    },
  });
  api.route(unsubscribeRoute('get'), (c, input) => c.html(unsubscribeForm(input.query.token), 200));
  api.route(unsubscribeRoute('post'), async (c, input) => {
    const service = await loadService();
    try {
      await service.unsubscribeByToken(input.query.token);
      return c.html(
        page('Unsubscribed', paragraph('You will get no more alerts from this subscription.')),
        200,
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return c.html(page('Link not valid', paragraph(error.message)), 404);
    }
  });
}
