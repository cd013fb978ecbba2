import { ValidationError } from '../errors.ts';
import type { TimelineEvent } from './event.ts';

/**
 * The durable change log as plain data: what an entry says, where a reader stands in the log, and
 * which entries a reader may hand out. docs/data-model.md ("The change log") has the reasoning.
 */

export const changeTypes = ['created', 'updated', 'deleted'] as const;
export type ChangeType = (typeof changeTypes)[number];

/** One change of one event: its state after the change, or (deleted) none: a tombstone. */
export interface ChangeEntry {
  type: ChangeType;
  eventId: string;
  version: number;
  at: string;
  event?: TimelineEvent;
}

/**
 * A numbered slot of the log as stored: a change, or a void (a number taken by a writer that never
 * logged under it — refused, crashed, or too slow — and sealed so that readers can pass it).
 * `loggedAt` is when the slot was written, which is after its number was taken.
 */
export interface LogSlot {
  seq: number;
  loggedAt: string;
  entry?: ChangeEntry;
}

/** Where a reader stands: the last slot it consumed, and what that slot held (to notice a log that is not the one it read). */
export interface LogPosition {
  seq: number;
  /** `<eventId>.<version>` of the slot's change, `-` for a void, empty at the start. */
  tag: string;
}

export const LOG_START: LogPosition = { seq: 0, tag: '' };

export const slotTag = (slot: LogSlot): string =>
  slot.entry ? `${slot.entry.eventId}.${slot.entry.version}` : '-';

export const positionOf = (slot: LogSlot): LogPosition => ({ seq: slot.seq, tag: slotTag(slot) });

/** A position as a cursor carries it: `<seq>/<tag>`. */
export const formatPosition = (position: LogPosition): string => `${position.seq}/${position.tag}`;

export function parsePosition(text: string): LogPosition {
  const match = /^(0|[1-9][0-9]{0,14})\/([0-9A-Z]{26}\.[1-9][0-9]{0,8}|-|)$/.exec(text);
  if (!match || (match[1] === '0') !== (match[2] === '')) {
    throw new ValidationError('cursor is malformed', [{ path: 'cursor', message: 'cursor is malformed' }]);
  }
  return { seq: Number(match[1]), tag: match[2]! };
}

/** Numbers sealed at most per round of a read (a run of abandoned numbers is sealed over a few reads). */
const MAX_HOLES = 25;

/** What a page may hand out from the slots read after a position. */
export interface ReadablePrefix {
  /** The slots consumed, in order: voids among them, at most `limit` changes. */
  consumed: LogSlot[];
  /** Numbers missing before a slot written longer ago than the settle window: seal them, then read again. */
  holes: number[];
  /** A missing number younger than the settle window stops the page: its writer may still log under it. */
  blocked: boolean;
}

/**
 * The gap-free run of slots after `after`, up to `limit` changes. Numbers are taken before their
 * changes commit, so a slot can be missing while later ones exist; handing out what lies past a
 * missing number could skip it forever. A missing number whose successor was written more than
 * `settleMs` ago is taken as abandoned and returned in `holes` to be sealed (sealing is a
 * conditional write: a writer that does log under it later finds it sealed and logs again under a
 * new number, so nothing committed is lost).
 */
export function readablePrefix(
  after: number,
  slots: readonly LogSlot[],
  limit: number,
  now: Date,
  settleMs: number,
): ReadablePrefix {
  const consumed: LogSlot[] = [];
  let expected = after + 1;
  let changes = 0;
  for (const slot of slots) {
    if (slot.seq < expected) continue;
    if (slot.seq > expected) {
      if (now.getTime() - Date.parse(slot.loggedAt) < settleMs) return { consumed, holes: [], blocked: true };
      const holes = Array.from({ length: Math.min(slot.seq - expected, MAX_HOLES) }, (_, i) => expected + i);
      return { consumed, holes, blocked: false };
    }
    if (slot.entry) {
      if (changes === limit) break;
      changes++;
    }
    consumed.push(slot);
    expected++;
  }
  return { consumed, holes: [], blocked: false };
}

/** The log's change type for an event change as the alert pipeline names it. */
export const changeTypeOf = (type: 'event.created' | 'event.updated' | 'event.deleted'): ChangeType =>
  type === 'event.created' ? 'created' : type === 'event.updated' ? 'updated' : 'deleted';
