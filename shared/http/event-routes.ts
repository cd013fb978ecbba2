import type { Context } from 'hono';
import * as z from 'zod/mini';
import { decodeCursor, encodeCursor, queryFingerprint } from '../domain/cursor.ts';
import { parseRangeBoundary } from '../domain/dates.ts';
import { eventKinds, normaliseActorQuery, normaliseKey, type TimelineEvent } from '../domain/event.ts';
import { PreconditionFailedError, PreconditionRequiredError, ValidationError } from '../errors.ts';
import { requireScope } from './auth.ts';
import type { AppDeps } from './context.ts';
import {
  type EntityTag,
  entityTags,
  listEntityTag,
  matchesStrongly,
  matchesWeakly,
  notModified,
} from './entity-tags.ts';
import { applyMergePatch } from './merge-patch.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';
import { lazy, meta } from './schema-meta.ts';
import {
  eventInputSchema,
  eventPageSchema,
  eventPatchSchema,
  eventSchema,
  idParamSchema,
  timelineQuerySchema,
} from './schemas.ts';
import { validationErrorFrom } from './validation.ts';

const etagOf = (event: TimelineEvent) => `"v${event.version}"`;

/** If-Match names the event's current version (strong comparison). */
const matchesEvent = (tags: '*' | EntityTag[], event: TimelineEvent) => matchesStrongly(tags, etagOf(event));

interface Preconditions {
  ifMatch: '*' | EntityTag[] | undefined;
  ifNoneMatch: '*' | EntityTag[] | undefined;
}

function readPreconditions(headers: { 'if-match'?: string; 'if-none-match'?: string }): Preconditions {
  return {
    ifMatch: entityTags(headers['if-match'], 'if-match'),
    ifNoneMatch: entityTags(headers['if-none-match'], 'if-none-match'),
  };
}

/**
 * Evaluates If-Match and then If-None-Match against the event, in RFC 9110 §13.2.2's order. A
 * failed If-Match is 412; a failed If-None-Match is 304 for a read (returned as 'not-modified') and
 * 412 for a write.
 */
function evaluatePreconditions(
  { ifMatch, ifNoneMatch }: Preconditions,
  event: TimelineEvent,
  read: boolean,
): 'proceed' | 'not-modified' {
  if (ifMatch !== undefined && !matchesEvent(ifMatch, event)) {
    throw new PreconditionFailedError(
      `Event ${event.id} is at ${etagOf(event)}, which If-Match does not name; fetch it again`,
    );
  }
  if (ifNoneMatch !== undefined && matchesWeakly(ifNoneMatch, etagOf(event))) {
    if (read) return 'not-modified';
    throw new PreconditionFailedError(`Event ${event.id} is at ${etagOf(event)}, which If-None-Match names`);
  }
  return 'proceed';
}

/**
 * The version a write may replace: read from a lone strong `"v<n>"` If-Match without a look at the
 * event (the store checks it as it writes), otherwise the current version once the preconditions hold
 * for it (the store then checks that nothing changed in between). Undefined when there are none.
 */
async function expectedVersion(
  deps: AppDeps,
  id: string,
  preconditions: Preconditions,
): Promise<number | undefined> {
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch === undefined && ifMatch !== '*' && ifMatch?.length === 1 && !ifMatch[0]!.weak) {
    const version = /^v(\d{1,9})$/.exec(ifMatch[0]!.opaque);
    if (version) return Number(version[1]);
  }
  const current = await deps.events.get(id);
  evaluatePreconditions(preconditions, current, false);
  return current.version;
}

/** Runs a parser of a query parameter, naming its errors `query.<parameter>` like the schema's. */
function inQuery<T>(read: () => T): T {
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

/**
 * Anyone may cache the public timeline, but any write can change any page and nothing purges
 * caches, so each reuse revalidates; the page's ETag makes a revalidation a 304 without the body.
 */
const LIST_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

const eventHeaders = (event: TimelineEvent) => ({ etag: etagOf(event), 'cache-control': 'no-cache' });

const conditionalHeaders = lazy(() =>
  z.object({
    'if-match': meta(z.optional(z.string()), {
      description: 'The ETag you last read ("v3"), or *; compared strongly. A stale one is 412.',
    }),
    'if-none-match': meta(z.optional(z.string()), {
      description: 'ETags ("v3", W/"v3") or *; compared weakly. A read that matches is 304.',
    }),
  }),
);
const idempotencyHeader = lazy(() =>
  z.object({ 'idempotency-key': z.optional(z.string().check(z.minLength(1), z.maxLength(255))) }),
);

export function registerEventRoutes(api: ApiRoutes, deps: AppDeps): void {
  const writeAccess = requireScope(deps.apiKeys, 'events:write');
  const selfUrl = (c: Context, id: string) =>
    `${deps.publicUrl ?? new URL(c.req.url).origin}/v1/events/${id}`;

  api.route(
    {
      method: 'get',
      path: '/v1/events',
      tags: ['Timeline'],
      summary: 'List the timeline',
      description:
        'Events in timeline order. Filters: from/to (overlap with the event date), kind, actor, tag (repeatable; OR within a filter, AND across filters), q (text).',
      request: { query: timelineQuerySchema },
      responses: {
        200: {
          description: 'A page of events, with a weak ETag for the page',
          content: { 'application/json': { schema: eventPageSchema } },
        },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        ...problemResponses(400),
      },
    },
    async (c, input) => {
      const query = input.query;
      const from =
        query.from === undefined ? undefined : inQuery(() => parseRangeBoundary(query.from!, 'from'));
      const to = query.to === undefined ? undefined : inQuery(() => parseRangeBoundary(query.to!, 'to'));
      if (from && to && from > to) {
        throw new ValidationError('from is after to', [
          { path: 'query.from', message: 'must not be after to' },
        ]);
      }
      const filter = {
        from,
        to,
        kinds: [...new Set(query.kind)].sort(),
        actors: [...new Set(query.actor.map(normaliseActorQuery))].sort(),
        tags: [...new Set(query.tag.map(normaliseKey))].sort(),
        q: query.q?.trim() || undefined,
        order: query.order,
      };
      for (const kind of filter.kinds) {
        if (!(eventKinds as readonly string[]).includes(kind)) {
          throw new ValidationError(`Unknown kind "${kind}"`, [
            { path: 'query.kind', message: `must be one of ${eventKinds.join(', ')}` },
          ]);
        }
      }
      const fingerprint = queryFingerprint(filter);
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
      const page = await deps.events.list({ ...filter, limit: query.limit, ...(after ? { after } : {}) });
      const headers = { etag: listEntityTag(page.items, page.next), 'cache-control': LIST_CACHE_CONTROL };
      if (notModified(c.req.header('if-none-match'), headers.etag)) return c.body(null, 304, headers);
      const nextCursor = page.next ? encodeCursor({ after: page.next, query: fingerprint }, key) : null;
      return c.json({ items: page.items, nextCursor }, 200, headers);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/events/{id}',
      tags: ['Timeline'],
      summary: 'Get one event',
      request: { params: idParamSchema, headers: conditionalHeaders },
      responses: {
        200: {
          description: 'The event, with its ETag',
          content: { 'application/json': { schema: eventSchema } },
        },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        ...problemResponses(400, 404, 412),
      },
    },
    async (c, input) => {
      const preconditions = readPreconditions(input.headers);
      const event = await deps.events.get(input.params.id);
      if (evaluatePreconditions(preconditions, event, true) === 'not-modified') {
        return c.body(null, 304, eventHeaders(event));
      }
      return c.json(event, 200, eventHeaders(event));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/events',
      tags: ['Timeline'],
      summary: 'Create an event',
      description:
        'Needs a key with events:write. With an Idempotency-Key header, a repeat with the same body replays the first response; a different body is refused with 422.',
      security: [{ bearer: [] }],
      middleware: [writeAccess],
      request: {
        headers: idempotencyHeader,
        body: eventInputSchema,
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: eventSchema } } },
        ...problemResponses(400, 401, 403, 413, 422),
      },
    },
    async (c, { headers, body }) => {
      const key = headers['idempotency-key'];
      const principal = c.get('principal')!;
      const { event, replayed } = await deps.events.create(
        body,
        key === undefined ? undefined : { scope: principal.keyId, key },
      );
      return c.json(event, 201, {
        ...eventHeaders(event),
        location: selfUrl(c, event.id),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/events/{id}',
      tags: ['Timeline'],
      summary: 'Change an event (JSON merge patch)',
      description:
        'RFC 7396 merge patch; null removes an optional field. If-Match with the current ETag (or *) is required; If-Match compares strongly, so a weak ETag never matches.',
      security: [{ bearer: [] }],
      middleware: [writeAccess],
      request: {
        params: idParamSchema,
        headers: conditionalHeaders,
        body: eventPatchSchema,
      },
      bodyTypes: ['application/merge-patch+json', 'application/json'],
      requiredHeaders: ['if-match'],
      responses: {
        200: { description: 'The changed event', content: { 'application/json': { schema: eventSchema } } },
        ...problemResponses(400, 401, 403, 404, 412, 413, 428),
      },
    },
    async (c, input) => {
      const { id } = input.params;
      const preconditions = readPreconditions(input.headers);
      // A failed If-None-Match is 412 even without If-Match; without If-Match the patch is refused.
      const checked = await expectedVersion(deps, id, preconditions);
      if (preconditions.ifMatch === undefined || checked === undefined) {
        throw new PreconditionRequiredError(
          'PATCH needs If-Match with the ETag you last read, for example If-Match: "v3"',
        );
      }
      const expected = checked;
      const patch = input.body as Record<string, unknown>;
      const event = await deps.events.update(id, expected, (current) => {
        const merged = applyMergePatch(current, patch);
        const parsed = eventInputSchema().safeParse(merged);
        if (!parsed.success) throw validationErrorFrom(parsed.error, 'body');
        return parsed.data;
      });
      return c.json(event, 200, eventHeaders(event));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/events/{id}',
      tags: ['Timeline'],
      summary: 'Delete an event',
      security: [{ bearer: [] }],
      middleware: [writeAccess],
      request: { params: idParamSchema, headers: conditionalHeaders },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 412) },
    },
    async (c, input) => {
      const { id } = input.params;
      await deps.events.remove(id, await expectedVersion(deps, id, readPreconditions(input.headers)));
      return c.body(null, 204);
    },
  );
}
