import type { Context } from 'hono';
import * as z from 'zod/mini';
import { decodeCursor, encodeCursor, queryFingerprint } from '../domain/cursor.ts';
import { parseRangeBoundary } from '../domain/dates.ts';
import { eventKinds, normaliseActorQuery, normaliseKey, type TimelineEvent } from '../domain/event.ts';
import { PreconditionRequiredError, ValidationError } from '../errors.ts';
import { requireScope } from './auth.ts';
import type { AppDeps } from './context.ts';
import { applyMergePatch } from './merge-patch.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';
import { lazy } from './schema-meta.ts';
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

/** Parses If-Match / If-None-Match lists of entity tags (weak or strong). */
function entityTags(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

function versionFromIfMatch(header: string): number {
  const tags = entityTags(header) ?? [];
  const match = tags.length === 1 ? /^"v(\d{1,9})"$/.exec(tags[0]!) : null;
  if (!match) {
    throw new ValidationError('If-Match must be the ETag of the event, for example "v3"', [
      { path: 'headers.if-match', message: 'must be one ETag such as "v3"' },
    ]);
  }
  return Number(match[1]);
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

const eventHeaders = (event: TimelineEvent) => ({ etag: etagOf(event), 'cache-control': 'no-cache' });

const ifMatchHeader = lazy(() => z.object({ 'if-match': z.optional(z.string()) }));
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
          description: 'A page of events',
          content: { 'application/json': { schema: eventPageSchema } },
        },
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
      const nextCursor = page.next ? encodeCursor({ after: page.next, query: fingerprint }, key) : null;
      return c.json({ items: page.items, nextCursor }, 200);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/events/{id}',
      tags: ['Timeline'],
      summary: 'Get one event',
      request: { params: idParamSchema },
      responses: {
        200: {
          description: 'The event, with its ETag',
          content: { 'application/json': { schema: eventSchema } },
        },
        304: { description: 'Not modified since the ETag in If-None-Match' },
        ...problemResponses(400, 404),
      },
    },
    async (c, input) => {
      const event = await deps.events.get(input.params.id);
      const ifNoneMatch = entityTags(c.req.header('if-none-match'));
      if (ifNoneMatch && (ifNoneMatch.includes('*') || ifNoneMatch.includes(etagOf(event)))) {
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
        'RFC 7396 merge patch; null removes an optional field. If-Match with the current ETag is required.',
      security: [{ bearer: [] }],
      middleware: [writeAccess],
      request: {
        params: idParamSchema,
        headers: ifMatchHeader,
        body: eventPatchSchema,
      },
      bodyTypes: ['application/merge-patch+json', 'application/json'],
      responses: {
        200: { description: 'The changed event', content: { 'application/json': { schema: eventSchema } } },
        ...problemResponses(400, 401, 403, 404, 412, 413, 428),
      },
    },
    async (c, input) => {
      const { id } = input.params;
      const ifMatch = input.headers['if-match'];
      if (ifMatch === undefined) {
        throw new PreconditionRequiredError(
          'PATCH needs If-Match with the ETag you last read, for example If-Match: "v3"',
        );
      }
      const expected = versionFromIfMatch(ifMatch);
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
      request: { params: idParamSchema, headers: ifMatchHeader },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 412) },
    },
    async (c, input) => {
      const ifMatch = input.headers['if-match'];
      await deps.events.remove(
        input.params.id,
        ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch),
      );
      return c.body(null, 204);
    },
  );
}
