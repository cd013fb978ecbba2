/**
 * Digests, as pure data: a subscription's schedule, the period a change falls in, the idempotent
 * digest id, and what a digest lists (each event once, in its latest state, with what happened to
 * it in the period). See docs/digests.md.
 */

import { compareTimeline } from './dates.ts';
import { type AlertPayload, derivedUlid, type MessageRef } from './delivery.ts';
import type { TimelineEvent } from './event.ts';
import type { AlertType } from './subscription.ts';

export const digestFrequencies = ['immediate', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof digestFrequencies)[number];

/** The hour of the day (UTC) a digest goes out when the subscription names none. */
export const DEFAULT_DIGEST_HOUR = 7;

/** When a digest subscription's periods end: every day, or every Monday, at `hour`:00 UTC. */
export interface DigestSchedule {
  frequency: 'daily' | 'weekly';
  hour: number;
}

/** One period of a schedule, as ISO instants: `start` inclusive, `end` exclusive (when it is sent). */
export interface DigestPeriod {
  start: string;
  end: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How often a subscription is told, as stored: no frequency for immediate; the hour is kept either way. */
export type DigestSettings = { frequency?: 'daily' | 'weekly'; digestHour?: number };

/**
 * A subscription's digest settings after a request (`current` for an existing one): the frequency
 * asked for, else kept; the hour asked for, else kept, else (for a digest) the default. An hour
 * given to an immediate subscription is kept for when it takes digests.
 */
export function digestSettings(
  current: { frequency?: DigestFrequency; digestHour?: number },
  requested: { frequency?: DigestFrequency; digestHour?: number },
): DigestSettings {
  const frequency = requested.frequency ?? current.frequency ?? 'immediate';
  const hour = requested.digestHour ?? current.digestHour;
  if (frequency === 'immediate') return hour === undefined ? {} : { digestHour: hour };
  return { frequency, digestHour: hour ?? DEFAULT_DIGEST_HOUR };
}

/** The schedule of a subscription's digests; undefined when it is told of every change at once. */
export function digestScheduleOf(settings: {
  frequency?: DigestFrequency;
  digestHour?: number;
}): DigestSchedule | undefined {
  if (settings.frequency !== 'daily' && settings.frequency !== 'weekly') return undefined;
  return { frequency: settings.frequency, hour: settings.digestHour ?? DEFAULT_DIGEST_HOUR };
}

/** The period of `schedule` that the instant `at` falls in. */
export function periodOf(at: string | Date, schedule: DigestSchedule): DigestPeriod {
  const time = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const day = new Date(time);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  let start = midnight + schedule.hour * HOUR_MS;
  if (schedule.frequency === 'weekly') start -= ((day.getUTCDay() + 6) % 7) * DAY_MS; // back to Monday
  const length = schedule.frequency === 'weekly' ? 7 * DAY_MS : DAY_MS;
  if (start > time) start -= length;
  return { start: new Date(start).toISOString(), end: new Date(start + length).toISOString() };
}

/** The period that follows `period` (it starts where `period` ends). */
export function periodAfter(period: DigestPeriod, schedule: DigestSchedule): DigestPeriod {
  return periodOf(period.end, schedule);
}

/** The digest's idempotent name: one subscription, one period. Its delivery id is derived from it. */
export const digestName = (subscriptionId: string, periodStart: string) =>
  `digest:${subscriptionId}:${periodStart}`;

/**
 * The delivery id of a digest (also its `webhook-id`): a ULID whose time is the period's end and
 * whose randomness is a hash of `digest:<subscriptionId>:<periodStart>`, so a digest run repeated
 * for the same period (a crash, a replayed schedule) can only ever record the same delivery.
 */
export const digestDeliveryId = (subscriptionId: string, period: DigestPeriod) =>
  derivedUlid(digestName(subscriptionId, period.start), Date.parse(period.end));

/** What happened to one event in a period, one change at a time. */
export interface DigestChange {
  type: AlertType;
  version: number;
  at: string;
  /** The fields an update changed. */
  changed?: string[];
}

/**
 * What fan-out collects for a digest subscription instead of a delivery: one entry per event and
 * period, holding a reference to the message of its latest change and the list of changes.
 */
export interface DigestEntry {
  eventId: string;
  version: number;
  message: MessageRef;
  happened: DigestChange[];
}

/** How an event stands at the end of the period: new in it, changed in it, or gone. */
export type DigestStatus = 'created' | 'updated' | 'deleted';

export interface DigestItem {
  status: DigestStatus;
  /** The event as of its latest change in the period (a deleted event: its last state). */
  event: TimelineEvent;
  changes: DigestChange[];
}

/** The Standard Webhooks body of an `event.digest` delivery (also what its mail is rendered from). */
export interface DigestPayload {
  type: 'event.digest';
  timestamp: string;
  data: {
    subscriptionId: string;
    digest: string;
    frequency: DigestSchedule['frequency'];
    period: DigestPeriod;
    /** Events listed below, in timeline order. */
    items: DigestItem[];
    /** Events that changed in the period but did not fit (see MAX_DIGEST_ITEMS). */
    omitted: number;
  };
}

/** Events one digest lists at most; the rest are counted in `omitted`. */
export const MAX_DIGEST_ITEMS = 100;
/** The listed events' JSON stays under this, so the delivery record stays well within DynamoDB's 400 KB. */
export const MAX_DIGEST_ITEM_BYTES = 200_000;

export function statusOf(changes: readonly DigestChange[]): DigestStatus {
  if (changes.some((change) => change.type === 'event.deleted')) return 'deleted';
  if (changes.some((change) => change.type === 'event.created')) return 'created';
  return 'updated';
}

/** Each entry with the payload of its latest change's message (undefined: the message is gone). */
export interface EntryWithMessage {
  entry: DigestEntry;
  message: AlertPayload | undefined;
}

/**
 * The digest of one subscription's period: each event once, in its latest state, with its
 * changes in order, the events in timeline order. Undefined when nothing is left to list.
 */
export function buildDigest(
  subscriptionId: string,
  schedule: DigestSchedule,
  period: DigestPeriod,
  entries: readonly EntryWithMessage[],
): DigestPayload | undefined {
  const all = entries
    .filter(({ message }) => message?.data.event !== undefined)
    .map(({ entry, message }): DigestItem => {
      const changes = [...entry.happened].sort((a, b) => a.version - b.version);
      return { status: statusOf(changes), event: message!.data.event!, changes };
    })
    .sort((a, b) => compareTimeline(a.event, b.event));
  if (all.length === 0) return undefined;
  const items: DigestItem[] = [];
  let bytes = 0;
  for (const item of all) {
    bytes += JSON.stringify(item).length;
    if (items.length === MAX_DIGEST_ITEMS || bytes > MAX_DIGEST_ITEM_BYTES) break;
    items.push(item);
  }
  return {
    type: 'event.digest',
    timestamp: period.end,
    data: {
      subscriptionId,
      digest: digestName(subscriptionId, period.start),
      frequency: schedule.frequency,
      period,
      items,
      omitted: all.length - items.length,
    },
  };
}
