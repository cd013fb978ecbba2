import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { AppEnv } from '../http/context.ts';
import type { ApiRoutes, RouteSpec } from '../http/route.ts';
import { lazy } from '../http/schema-meta.ts';
import type { SubscriptionRoutesDeps } from '../http/subscription-routes.ts';
import { tokenQuery } from '../http/subscription-schemas.ts';
import type { loadPages } from './register-pages.ts';

const htmlPage = lazy(() => z.string());
const html = (description: string) => ({ description, content: { 'text/html': { schema: htmlPage } } });

type LinkPage = 'confirmPage' | 'confirmAction' | 'unsubscribePage' | 'unsubscribeAction';

/**
 * The links people follow from their mail, in the API document: confirm a subscription, and
 * unsubscribe (RFC 8058 one-click). A GET shows a page with a button and changes nothing, since
 * mail security scanners follow links; the button POSTs. The pages load on their first request.
 */
export function registerLinkRoutes(
  api: ApiRoutes,
  deps: { subscriptions: SubscriptionRoutesDeps },
  pages: typeof loadPages,
): void {
  const { service: loadService } = deps.subscriptions;
  const spec = (
    method: 'get' | 'post',
    path: string,
    summary: string,
    answers: string,
  ): RouteSpec<{ query: typeof tokenQuery }> => ({
    method,
    path,
    tags: ['Subscriptions'],
    summary,
    request: { query: tokenQuery },
    responses: { 200: html(answers), 404: html('Invalid or expired link') },
  });
  const answer = (name: LinkPage) => async (c: Context<AppEnv>, input: { query: { token: string } }) => {
    const [module, service] = await Promise.all([pages(), loadService()]);
    return module[name](c, service, input.query.token);
  };

  api.route(
    spec(
      'get',
      '/v1/subscriptions/confirm',
      'Confirmation page (the link in the confirmation mail): shows the address and filter; changes nothing',
      'A page with the Confirm button, or what became of the subscription',
    ),
    answer('confirmPage'),
  );
  api.route(
    spec(
      'post',
      '/v1/subscriptions/confirm',
      'Confirm an email subscription (the page’s Confirm button)',
      'Confirmed, or what became of the subscription (an unsubscribed one stays unsubscribed)',
    ),
    answer('confirmAction'),
  );
  api.route(
    spec(
      'get',
      '/v1/unsubscribe',
      'Unsubscribe page (the link in every mail): names the address and filter; changes nothing',
      'A page with the Unsubscribe button',
    ),
    answer('unsubscribePage'),
  );
  api.route(
    spec(
      'post',
      '/v1/unsubscribe',
      'One-click unsubscribe (RFC 8058), and the page’s button',
      'Unsubscribed',
    ),
    answer('unsubscribeAction'),
  );
}
