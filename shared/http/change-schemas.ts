import * as z from 'zod/mini';
import { changeTypes } from '../domain/change-log.ts';
import { lazy, meta, named } from './schema-meta.ts';
import { eventSchema, queryInteger } from './schemas.ts';

/** The change feed's query: where to go on from, and how many changes at most. */
export const changesQuerySchema = lazy(() =>
  z.object({
    since: meta(z.optional(z.string().check(z.maxLength(500))), {
      description:
        'A cursor from an earlier page (nextCursor, or the cursor of the last entry applied). Without it, the feed starts at the first change ever made.',
    }),
    limit: queryInteger(1, 200, 100),
  }),
);

export const changeEntrySchema = lazy(() =>
  named(
    'ChangeEntry',
    z.object({
      seq: meta(z.int(), {
        description: 'Position in the change log (increasing; numbers of refused writes are skipped)',
      }),
      cursor: meta(z.string(), { description: 'Resume after this entry: pass it as since' }),
      type: z.enum(changeTypes),
      eventId: z.string(),
      version: meta(z.int(), { description: 'The event version this change made' }),
      at: meta(z.string(), { description: 'When the change was made (ISO 8601)' }),
      event: meta(z.optional(eventSchema()), {
        description: 'The event as this change left it; absent for deleted (a tombstone)',
      }),
    }),
    {
      example: {
        seq: 7,
        cursor: 'eyJhIjoiNy8wMUoxWjhRNFk2VjNXMlgxQTBCOUM4RDdFNi4yIiwicSI6ImNoYW5nZXMifQ.x',
        type: 'deleted',
        eventId: '01J1Z8Q4Y6V3W2X1A0B9C8D7E6',
        version: 2,
        at: '2024-06-29T08:00:00.000Z',
      },
    },
  ),
);

export const changePageSchema = lazy(() =>
  named(
    'ChangePage',
    z.object({
      items: z.array(changeEntrySchema()),
      nextCursor: meta(z.string(), {
        description: 'Always present: store it, and ask with since=<nextCursor> for what comes next',
      }),
      hasMore: meta(z.boolean(), {
        description: 'More changes can be read right now; when false you are up to date: poll again later',
      }),
    }),
  ),
);
