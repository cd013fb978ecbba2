import {
  formatPosition,
  LOG_START,
  type LogPosition,
  parsePosition,
  positionOf,
} from '../domain/change-log.ts';
import { decodeCursor, encodeCursor } from '../domain/cursor.ts';
import { ValidationError } from '../errors.ts';
import { changePageSchema, changesQuerySchema } from './change-schemas.ts';
import type { AppDeps } from './context.ts';
import { problemResponses } from './openapi-common.ts';
import type { ApiRoutes } from './route.ts';

/** What change-feed cursors carry as their query, so a timeline cursor is refused here (and the reverse). */
const CHANGE_FEED = 'changes';

const invalidSince = (message: string, cause?: unknown) =>
  new ValidationError(`since: ${message}`, [{ path: 'query.since', message }], { cause });

function readSince(since: string, key: Uint8Array): LogPosition {
  try {
    const cursor = decodeCursor(since, key);
    if (cursor.query !== CHANGE_FEED) throw invalidSince('is not a cursor of the change feed');
    return parsePosition(cursor.after);
  } catch (error) {
    if (!(error instanceof ValidationError) || error.errors[0]?.path === 'query.since') throw error;
    throw invalidSince(error.errors[0]?.message ?? error.message, error);
  }
}

export function registerChangeRoutes(api: ApiRoutes, deps: AppDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/changes',
      tags: ['Timeline'],
      summary: 'Every create, update and delete, in log order, for keeping a copy in sync',
      description:
        'The durable change log, from the first change ever made. Apply the entries in order to a copy: created and updated carry the event as it then was, deleted is a tombstone. Store nextCursor (or the cursor of the last entry you applied) and ask again with since=<cursor>; nothing is ever skipped, and the log is kept for good. A cursor this log does not hold (the table was restored from a backup) is refused with 410: sync again from the start.',
      request: { query: changesQuerySchema },
      responses: {
        200: {
          description: 'A page of changes',
          content: { 'application/json': { schema: changePageSchema } },
        },
        ...problemResponses(400, [
          410,
          'The cursor points at a change this log does not hold: sync again from the start, without since',
        ]),
      },
    },
    async (c, { query }) => {
      const key = await deps.tokenKey();
      const after = query.since === undefined ? LOG_START : readSince(query.since, key);
      const page = await deps.events.changes(after, query.limit);
      const cursorOf = (position: LogPosition) =>
        encodeCursor({ after: formatPosition(position), query: CHANGE_FEED }, key);
      const items = page.slots.flatMap((slot) =>
        slot.entry ? [{ seq: slot.seq, cursor: cursorOf(positionOf(slot)), ...slot.entry }] : [],
      );
      return c.json({ items, nextCursor: cursorOf(page.position), hasMore: page.hasMore }, 200, {
        'cache-control': 'no-cache',
      });
    },
  );
}
