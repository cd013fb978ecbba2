import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { NotFoundError } from '../errors.ts';
import { ICON_SVG, STYLESHEET } from './stylesheet.ts';

interface Asset {
  path: string;
  body: string;
  type: string;
}

/** A file whose name carries the hash of its content, so it can be cached for a year and never go stale. */
function hashed(name: string, extension: string, body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 10);
  return { path: `/assets/${name}.${hash}.${extension}`, body, type };
}

export const stylesheet = hashed('dateline', 'css', STYLESHEET.trim(), 'text/css; charset=utf-8');
export const icon = hashed('icon', 'svg', ICON_SVG, 'image/svg+xml');

const byPath = new Map([stylesheet, icon].map((asset) => [asset.path, asset]));

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** GET /assets/…: the stylesheet and the icon; any other name (an older hash too) is not found. */
export function assetResponse(c: Context): Response {
  const asset = byPath.get(c.req.path);
  if (!asset) throw new NotFoundError(`No asset ${c.req.path}`);
  return c.body(asset.body, 200, {
    'content-type': asset.type,
    'cache-control': IMMUTABLE,
    'x-content-type-options': 'nosniff',
  });
}

/** GET /favicon.ico, which browsers ask for on pages without an icon link (a JSON answer, say). */
export function faviconResponse(c: Context): Response {
  return c.body(icon.body, 200, {
    'content-type': icon.type,
    'cache-control': 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
  });
}
