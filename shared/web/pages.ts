/** Everything a page request needs, imported together on the first one (see register-pages.ts). */
export { assetResponse, faviconResponse } from './assets.ts';
export { errorPageResponse } from './error-page.ts';
export { eventPage } from './event-page.ts';
export { confirmAction, confirmPage, unsubscribeAction, unsubscribePage } from './link-pages.ts';
export { subscribeAction } from './subscribe.ts';
export { timelinePage } from './timeline-page.ts';
