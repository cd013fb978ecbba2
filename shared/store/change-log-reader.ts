import { type LogPosition, type LogSlot, positionOf, readablePrefix, slotTag } from '../domain/change-log.ts';
import { GoneError } from '../errors.ts';
import { sealSlot, slotOf } from './change-log.ts';
import { queryPage, type Table } from './dynamo.ts';
import { CHANGE_LOG_PK, changeLogKey } from './keys.ts';

/**
 * How long a reader waits for a missing number before it seals it: longer than any event write
 * takes (an API function times out well before), so a sealed number is nearly always an abandoned
 * one. Sealing a live writer's number is safe all the same (it logs again under a new number); it
 * only costs a number.
 */
export const CHANGE_LOG_SETTLE_MS = 60_000;

/** Reads of one page: the first, one after sealing or to confirm a gap consistently, then what is there. */
const MAX_ROUNDS = 3;

export interface ChangePage {
  /** The slots consumed, in order: changes, and the voids among them. */
  slots: LogSlot[];
  /** Where the next page starts: the last slot consumed (the position asked for when none was). */
  position: LogPosition;
  /** Whether more slots can be read right now (false at the end, and while a missing number is waited for). */
  hasMore: boolean;
  /** Items DynamoDB read (ScannedCount), for tests and benchmarks. */
  itemsRead: number;
}

export interface ChangePageOptions {
  settleMs?: number;
  clock?: () => Date;
}

/**
 * One page of the change log after `after`: one Query of `limit + 2` items (the slot at `after`, to
 * check that this log is the one the position was read from, the page, and one to tell whether
 * more follow). Reads go eventually consistent, which is safe because only a gap-free run of
 * slots, each written once and never changed, is handed out; a gap, or a position not found, is
 * read again consistently before the page stops at it or refuses the position (GoneError).
 */
export async function readChangePage(
  table: Table,
  after: LogPosition,
  limit: number,
  options: ChangePageOptions = {},
): Promise<ChangePage> {
  const clock = options.clock ?? (() => new Date());
  const settleMs = options.settleMs ?? CHANGE_LOG_SETTLE_MS;
  let consistent = false;
  let itemsRead = 0;
  for (let round = 1; ; round++) {
    const page = await queryPage<Parameters<typeof slotOf>[0]>(table, {
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': CHANGE_LOG_PK, ':from': changeLogKey(Math.max(after.seq, 1)).sk },
      Limit: limit + 2,
      ConsistentRead: consistent,
    });
    itemsRead += page.scanned;
    const slots = page.items.map(slotOf);
    const last = round === MAX_ROUNDS;
    if (after.seq > 0 && !holdsPosition(slots[0], after)) {
      if (!consistent) {
        consistent = true;
        continue;
      }
      throw new GoneError(
        `This change log holds no entry ${after.seq} as the cursor knows it (the table was restored or replaced): sync again from the start, without since`,
      );
    }
    const prefix = readablePrefix(after.seq, slots, limit, clock(), settleMs);
    if (prefix.holes.length > 0 && !last) {
      const now = clock();
      await Promise.all(prefix.holes.map((seq) => sealSlot(table, seq, now)));
      consistent = true;
      continue;
    }
    if (prefix.blocked && !consistent && !last) {
      consistent = true;
      continue;
    }
    const end = prefix.consumed.at(-1);
    const position = end ? positionOf(end) : after;
    const unread = slots.some((slot) => slot.seq > position.seq) || page.lastKey !== undefined;
    return { slots: prefix.consumed, position, hasMore: !prefix.blocked && unread, itemsRead };
  }
}

const holdsPosition = (slot: LogSlot | undefined, position: LogPosition) =>
  slot !== undefined && slot.seq === position.seq && slotTag(slot) === position.tag;

/**
 * When the log last took a change: the newest slot's time (a sealed number counts too, which only
 * errs late). Undefined for an empty log. What a feed's Last-Modified may not fall behind, since a
 * deletion, or an event leaving a filter, changes a feed without leaving a newer event in it.
 */
export async function latestLoggedAt(table: Table): Promise<Date | undefined> {
  const page = await queryPage<{ loggedAt?: string }>(table, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': CHANGE_LOG_PK },
    ProjectionExpression: 'loggedAt',
    ScanIndexForward: false,
    Limit: 1,
  });
  const at = page.items[0]?.loggedAt;
  return at ? new Date(at) : undefined;
}
