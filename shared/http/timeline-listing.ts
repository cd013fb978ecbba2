import type * as z from 'zod/mini';
import { decodeCursor, encodeCursor, type QueryFilters, queryFingerprint } from '../domain/cursor.ts';
import { parseRangeBoundary } from '../domain/dates.ts';
import { eventKinds, normaliseActorQuery, normaliseKey, type TimelineEvent } from '../domain/event.ts';
import { ValidationError } from '../errors.ts';
import type { AppDeps } from './context.ts';
import type { timelineQuerySchema } from './schemas.ts';

/** A timeline query as `timelineQuerySchema` validates it (the API's `?from=…&kind=…` and the page's form alike). */
export type TimelineQuery = z.output<ReturnType<typeof timelineQuerySchema>>;

/** The filters of a timeline query, normalised: resolved date bounds, sorted and deduplicated values. */
export interface TimelineFilters extends QueryFilters {
  kinds: string[];
  actors: string[];
  tags: string[];
  order: 'asc' | 'desc';
}

export interface TimelineListing {
  items: TimelineEvent[];
  nextCursor: string | null;
  /** Where the next page starts in the store (what the cursor carries), for validators such as a list ETag. */
  nextKey: string | undefined;
}

/** Runs a parser of a query parameter, naming its errors `query.<parameter>` like the schema's. */
export function inQuery<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const errors = error.errors.map((e) => ({
      ...e,
      path: e.path.startsWith('query.') ? e.path : `query.${e.path}`,
    }));
    throw new ValidationError(error.message, errors, { cause: error });
  }
}

/** The filters a validated query asks for; ValidationError (paths `query.<parameter>`) for bad dates or kinds. */
export function timelineFilters(query: TimelineQuery): TimelineFilters {
  const from = query.from === undefined ? undefined : inQuery(() => parseRangeBoundary(query.from!, 'from'));
  const to = query.to === undefined ? undefined : inQuery(() => parseRangeBoundary(query.to!, 'to'));
  if (from && to && from > to) {
    throw new ValidationError('from is after to', [{ path: 'query.from', message: 'must not be after to' }]);
  }
  const filters: TimelineFilters = {
    from,
    to,
    kinds: [...new Set(query.kind)].sort(),
    actors: [...new Set(query.actor.map(normaliseActorQuery))].sort(),
    tags: [...new Set(query.tag.map(normaliseKey))].sort(),
    q: query.q?.trim() || undefined,
    order: query.order,
  };
  for (const kind of filters.kinds) {
    if (!(eventKinds as readonly string[]).includes(kind)) {
      throw new ValidationError(`Unknown kind "${kind}"`, [
        { path: 'query.kind', message: `must be one of ${eventKinds.join(', ')}` },
      ]);
    }
  }
  return filters;
}

/**
 * One page of the timeline for a validated query: its filters, the cursor checked against them
 * (tamper-evident, bound to the query), and the cursor of the next page when an item follows.
 */
export async function listTimeline(
  deps: Pick<AppDeps, 'events' | 'tokenKey'>,
  query: TimelineQuery,
  filters: TimelineFilters = timelineFilters(query),
): Promise<TimelineListing> {
  const fingerprint = queryFingerprint(filters);
  const key = await deps.tokenKey();
  let after: string | undefined;
  if (query.cursor !== undefined) {
    const cursor = inQuery(() => decodeCursor(query.cursor!, key));
    if (cursor.query !== fingerprint) {
      throw new ValidationError('This cursor belongs to a different query', [
        { path: 'query.cursor', message: 'does not match these filters' },
      ]);
    }
    after = cursor.after;
  }
  const page = await deps.events.list({ ...filters, limit: query.limit, ...(after ? { after } : {}) });
  const nextCursor = page.next ? encodeCursor({ after: page.next, query: fingerprint }, key) : null;
  return { items: page.items, nextCursor, nextKey: page.next };
}
