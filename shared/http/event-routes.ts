import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { TimelineEvent } from '../domain/event.ts';
import { PreconditionFailedError, PreconditionRequiredError } from '../errors.ts';
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
import { listTimeline } from './timeline-listing.ts';
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
          headers: { ETag: "The page's weak entity tag, for If-None-Match" },
          content: { 'application/json': { schema: eventPageSchema } },
        },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        ...problemResponses(400),
      },
    },
    async (c, input) => {
      const { items, nextCursor, nextKey } = await listTimeline(deps, input.query);
      const headers = { etag: listEntityTag(items, nextKey), 'cache-control': LIST_CACHE_CONTROL };
      if (notModified(c.req.header('if-none-match'), headers.etag)) return c.body(null, 304, headers);
      return c.json({ items, nextCursor }, 200, headers);
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
          headers: { ETag: 'The event\'s version ("v3"), for If-Match and If-None-Match' },
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
        201: {
          description: 'Created',
          headers: {
            Location: "The event's URL",
            ETag: 'The event\'s version ("v1")',
            'Idempotent-Replayed': 'true when this answers a repeat with the same Idempotency-Key',
          },
          content: { 'application/json': { schema: eventSchema } },
        },
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
        200: {
          description: 'The changed event',
          headers: { ETag: 'The new version' },
          content: { 'application/json': { schema: eventSchema } },
        },
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
