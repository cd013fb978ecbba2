import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { icon, stylesheet } from './assets.ts';

/** What the `html` helper makes: markup whose interpolated values were escaped. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Every page: nothing but our own stylesheet, no inline script or style, forms only to us, never
 * framed, no <base>. The SVG drawings use presentation attributes, which this policy allows.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface PageHeaderOptions {
  /**
   * Pages opened from a mail link carry its token in their URL: they send no Referer at all, and
   * are not cached or indexed.
   */
  private?: boolean;
}

export function pageHeaders(options: PageHeaderOptions = {}): Record<string, string> {
  return {
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': options.private ? 'no-referrer' : 'strict-origin-when-cross-origin',
    'cache-control': options.private ? 'no-store' : 'no-cache',
  };
}

/** A link to another representation of the page (the feeds add theirs here: Atom, RSS, JSON Feed, iCalendar). */
export interface AlternateLink {
  href: string;
  type: string;
  title: string;
}

export interface LayoutOptions {
  title: string;
  main: Html;
  description?: string;
  alternates?: AlternateLink[];
  /** Keep out of search engines (pages opened from mail links). */
  noindex?: boolean;
}

const alternateLink = (link: AlternateLink) =>
  html`<link rel="alternate" type="${link.type}" href="${link.href}" title="${link.title}">`;

/** The frame every page shares: head (stylesheet, icon, feed links), site header, main, footer. */
export function layout(options: LayoutOptions): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Dateline</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
${options.noindex ? html`<meta name="robots" content="noindex">` : ''}
<link rel="stylesheet" href="${stylesheet.path}"><link rel="icon" href="${icon.path}" type="image/svg+xml">
${(options.alternates ?? []).map(alternateLink)}
</head><body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site"><a class="brand" href="/">Dateline</a><span class="tagline">A timeline of international affairs, each entry with its sources</span>
<nav aria-label="Site"><a href="/">Timeline</a><a href="/docs">API</a></nav></header>
<main id="main">${options.main}</main>
<footer class="site">Dates are written as the sources allow: a day, a month, a year or a span, approximate or uncertain where they are. The same timeline is served as JSON at <a href="/v1/events">/v1/events</a>.</footer>
</body></html>`;
}

/**
 * A page in parts: markup, and byte chunks kept from earlier pages (see timeline-entries.ts),
 * sent in order.
 */
export type PageChunks = (string | Uint8Array)[];

/** Where a page's kept chunks go: a comment no escaped value can contain (every `<` of one is `&lt;`). */
export const CHUNK_SLOT = '<!--dateline:chunks-->';

/** The page with `chunks` in place of its CHUNK_SLOT. */
export async function withChunks(page: Html, chunks: Uint8Array[]): Promise<PageChunks> {
  const markup = String(await page);
  const at = markup.indexOf(CHUNK_SLOT);
  if (at === -1) return [markup];
  return [markup.slice(0, at), ...chunks, markup.slice(at + CHUNK_SLOT.length)];
}

/** An HTML answer with the page headers (CSP, nosniff, Referrer-Policy, caching). */
export async function htmlResponse(
  c: Context,
  body: Html | PageChunks,
  status: ContentfulStatusCode = 200,
  headers: Record<string, string> = {},
  options: PageHeaderOptions = {},
): Promise<Response> {
  // As bytes: a string body is checked for lone surrogates and encoded by the Response, at a cost
  // that grows with the page; Buffer encodes natively in one pass.
  const parts = Array.isArray(body) ? body : [String(await body)];
  const bytes = Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)),
  );
  return c.body(bytes, status, { ...pageHeaders(options), ...headers });
}
