/** GET /: the timeline as a page, from the same query, filters and service call as GET /v1/events. */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { type FieldError, ValidationError } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import { parseQuery, readQuery } from '../http/route.ts';
import { timelineQuerySchema } from '../http/schemas.ts';
import {
  listTimeline,
  type TimelineFilters,
  type TimelineListing,
  timelineFilters,
} from '../http/timeline-listing.ts';
import { timelineAlternates } from './alternates.ts';
import { CHUNK_SLOT, type Html, htmlResponse, layout, withChunks } from './layout.ts';
import { errorSummary, subscribeForm } from './subscribe.ts';
import { legendHtml, overviewSvg, timeAxisFor } from './time-axis.ts';
import { timelineEntries } from './timeline-entries.ts';
import { type FormValues, filterForm } from './timeline-form.ts';

/**
 * The query as a GET form sends it: a field left empty arrives as `name=`, which means "not
 * filtering on this" rather than the empty value the API would refuse.
 */
function formQuery(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const filled: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) {
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v.trim() !== '');
    if (values.length > 0) filled[name] = values.length === 1 ? values[0]! : values;
  }
  return filled;
}

const all = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function formValues(query: Record<string, string | string[]>): FormValues {
  return {
    kinds: all(query.kind),
    actors: all(query.actor),
    tags: all(query.tag),
    from: one(query.from) ?? '',
    to: one(query.to) ?? '',
    q: one(query.q) ?? '',
    order: one(query.order) ?? 'asc',
    limit: one(query.limit) ?? '50',
  };
}

/** The page's own URL with other parameters: the form's query without its cursor, plus `changes`. */
function pageHref(
  query: Record<string, string | string[]>,
  changes: Record<string, string | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (name === 'cursor' || name in changes) continue;
    for (const v of all(value)) search.append(name, v);
  }
  for (const [name, value] of Object.entries(changes)) if (value !== undefined) search.append(name, value);
  const text = search.toString();
  return text ? `/?${text}` : '/';
}

/** The results: the overview, the list (its entries go into CHUNK_SLOT), the pager. */
function results(
  query: Record<string, string | string[]>,
  filters: TimelineFilters,
  listing: TimelineListing,
): { markup: Html; entries: Uint8Array[] } {
  const { items, nextCursor } = listing;
  if (items.length === 0) {
    const markup = html`<p class="empty">No events match these filters${query.cursor ? ' on this page' : ''}.</p>`;
    return { markup, entries: [] };
  }
  const axis = timeAxisFor(items, {
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  })!;
  const order = filters.order === 'desc' ? 'newest first' : 'oldest first';
  const count = `${items.length} event${items.length === 1 ? '' : 's'}`;
  const markup = html`<section aria-labelledby="results-title">
<h2 id="results-title" class="muted">${count}${nextCursor ? ' on this page' : ''}, ${order}</h2>
<div class="overview">${raw(overviewSvg(axis, items))}</div>${raw(legendHtml())}
<ol class="timeline">${raw(CHUNK_SLOT)}</ol>
<nav class="pager" aria-label="Pages">
${query.cursor ? html`<a href="${pageHref(query, {})}">First page</a>` : ''}
${nextCursor ? html`<a rel="next" href="${pageHref(query, { cursor: nextCursor })}">Next page</a>` : ''}
<a href="/v1/events?${pageSearch(query)}">This page as JSON</a>
</nav></section>`;
  return { markup, entries: timelineEntries(items, axis) };
}

/** The query string of this very page (cursor included), for its JSON twin. */
function pageSearch(query: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) for (const v of all(value)) search.append(name, v);
  return search.toString();
}

/** Parts of a timeline filter an email alert cannot follow. */
function unfollowed(filters: TimelineFilters): string[] {
  return [...(filters.from || filters.to ? ['the dates'] : []), ...(filters.q ? ['the text search'] : [])];
}

export async function timelinePage(c: Context, deps: AppDeps): Promise<Response> {
  const query = formQuery(readQuery(c));
  const values = formValues(query);
  let filters: TimelineFilters;
  let listing: TimelineListing;
  try {
    const valid = parseQuery(timelineQuerySchema(), query) as Parameters<typeof timelineFilters>[0];
    filters = timelineFilters(valid);
    listing = await listTimeline(deps, valid, filters);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return render(c, values, 400, error.errors);
  }
  const { markup, entries } = results(query, filters, listing);
  const main = html`${markup}
${deps.subscriptions ? subscribeForm({ filter: filters, unfollowed: unfollowed(filters) }) : ''}`;
  return render(c, values, 200, [], main, entries, timelineAlternates(query));
}

async function render(
  c: Context,
  values: FormValues,
  status: 200 | 400,
  errors: FieldError[],
  main: Html = html``,
  entries: Uint8Array[] = [],
  alternates = timelineAlternates({}),
): Promise<Response> {
  const page = html`<h1>Timeline</h1>
<p class="lede">Dated events in international affairs &mdash; pacts, missile findings and launches, Security Council meetings, resolutions, sanctions reports &mdash; each with its sources.</p>
${errors.length > 0 ? errorSummary(errors, 'filter-errors') : ''}
${filterForm(values)}
${main}`;
  const frame = layout({
    title: 'Timeline',
    description: 'A timeline of dated events in international affairs, each with its sources.',
    main: page,
    alternates,
  });
  return htmlResponse(c, await withChunks(frame, entries), status);
}
