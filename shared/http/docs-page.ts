import type { Context } from 'hono';
import type { AppEnv } from './context.ts';
import { problem, problemResponse } from './problem.ts';

/**
 * /docs: the API reference, rendered by Swagger UI from /openapi.json. Every script and
 * stylesheet is a file the app serves itself (the Swagger UI package's, and the init script
 * below), so the page works offline under a CSP that allows nothing from elsewhere and no inline
 * script.
 */

const ASSETS = '/docs/assets';
const SPEC_URL = '/openapi.json';

export const docsPage = (): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dateline API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/svg+xml" href="/favicon.ico">
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
<link rel="stylesheet" href="${ASSETS}/docs.css">
</head>
<body>
<main id="swagger-ui" data-spec="${SPEC_URL}">
<noscript><p>The API reference needs JavaScript. The OpenAPI document is at <a href="${SPEC_URL}">${SPEC_URL}</a>.</p></noscript>
</main>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="${ASSETS}/docs-init.js"></script>
</body>
</html>
`;

/**
 * Starts Swagger UI on the page's document: no validator badge (it would call out to swagger.io),
 * no deep-link anchors inside the operations' buttons (nested controls), no syntax colours (too
 * faint on their background), and a name for each control Swagger UI renders without one
 * (servers, examples, the request body).
 */
export const DOCS_INIT_SCRIPT = `'use strict';
var NAMES = { servers: 'Server', 'examples-select-element': 'Example', 'content-type': 'Media type', 'body-param__text': 'Request body' };
function nameControls(root) {
  root.querySelectorAll('select:not([aria-label]), textarea:not([aria-label]), input:not([aria-label])').forEach(function (control) {
    var key = Object.keys(NAMES).find(function (name) {
      return control.id === name || control.classList.contains(name);
    });
    control.setAttribute('aria-label', key ? NAMES[key] : control.getAttribute('placeholder') || control.name || 'Value');
  });
}
window.addEventListener('DOMContentLoaded', function () {
  var root = document.getElementById('swagger-ui');
  new MutationObserver(function () { nameControls(root); }).observe(root, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec'),
    domNode: root,
    deepLinking: false,
    syntaxHighlight: false,
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false,
  });
});
`;

/**
 * A few touches on Swagger UI's stylesheet for contrast (its version badges and links are too
 * faint) and for keyboard users (examples wrap instead of scrolling in a box that takes no focus).
 */
export const DOCS_STYLESHEET = `.swagger-ui .info .title small { background: #4b5260; }
.swagger-ui .info .title small.version-stamp { background: #35650a; }
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui .info .link { color: #1a5699; }
.swagger-ui .opblock .opblock-summary-description, .swagger-ui .opblock-description-wrapper p,
.swagger-ui .parameter__in, .swagger-ui table thead tr th, .swagger-ui .prop-format { color: #1d1d1f; }
.swagger-ui .opblock-get .opblock-summary-method { background: #1f63b4 !important; }
.swagger-ui .opblock-post .opblock-summary-method { background: #17744b !important; }
.swagger-ui .opblock-put .opblock-summary-method { background: #a2530a !important; }
.swagger-ui .opblock-patch .opblock-summary-method { background: #9a5200 !important; }
.swagger-ui .opblock-delete .opblock-summary-method { background: #b8222a !important; }
.swagger-ui .btn.authorize { color: #17744b; border-color: #17744b; }
.swagger-ui .btn.authorize svg { fill: #17744b; }
.swagger-ui .btn.try-out__btn { color: #1d1d1f; border-color: #4b5260; }
.swagger-ui .btn.execute { background: #1f63b4; border-color: #1f63b4; color: #fff; }
.swagger-ui .download-contents { background: #4b5260; color: #fff; }
.swagger-ui pre, .swagger-ui .highlight-code > .microlight, .swagger-ui .body-param__example, .swagger-ui .curl {
  overflow: visible !important; max-height: none !important; white-space: pre-wrap !important; word-break: break-word;
}
`;

/** The page's policy: everything from the app itself; Try it out may call the API's own origin. */
export function docsContentSecurityPolicy(apiOrigin?: string): string {
  const connect = apiOrigin ? `'self' ${apiOrigin}` : `'self'`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const OWN_ASSETS: Record<string, { contentType: string; body: string }> = {
  'docs-init.js': { contentType: 'text/javascript; charset=utf-8', body: DOCS_INIT_SCRIPT },
  'docs.css': { contentType: 'text/css; charset=utf-8', body: DOCS_STYLESHEET },
};

/** The /docs page, its API calls allowed to `publicUrl`'s origin too. */
export function docsPageResponse(c: Context<AppEnv>, publicUrl: string | undefined): Response {
  const apiOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  return c.html(docsPage(), 200, {
    'content-security-policy': docsContentSecurityPolicy(apiOrigin),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
}

/** One of the page's assets (`/docs/assets/{name}`): its own, or a file of the package, read on first request. */
export async function docsAssetResponse(c: Context<AppEnv>): Promise<Response> {
  const name = c.req.param('name') ?? '';
  const own = OWN_ASSETS[name];
  const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=86400' };
  if (own) return c.body(own.body, 200, { ...headers, 'content-type': own.contentType });
  const { docsAsset } = await import('./docs-assets.ts');
  const pending = docsAsset(name);
  if (!pending) return problemResponse(c, problem(404, 'not-found', `No docs asset ${name}`));
  const asset = await pending;
  if (c.req.header('if-none-match') === asset.etag)
    return c.body(null, 304, { ...headers, etag: asset.etag });
  const gzip = asset.gzipped && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  return c.body(gzip ? asset.gzipped! : asset.body, 200, {
    ...headers,
    'content-type': asset.contentType,
    etag: asset.etag,
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
}
