import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import type { EventInput, TimelineEvent } from './event.ts';
import type { AlertType, Channel } from './subscription.ts';

/**
 * What a delivery carries: an alert, a digest of a period's alerts, a test ping, or a notice
 * about the subscription itself.
 */
export type DeliveryKind =
  | AlertType
  | 'event.digest'
  | 'ping'
  | 'subscription.confirm'
  | 'subscription.disabled';

/** pending → delivered | dead (retries exhausted) | gone (receiver answered 410) | skipped (subscription no longer active). */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'gone' | 'skipped';

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
  latencyMs: number;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  channel: Channel;
  kind: DeliveryKind;
  eventId?: string;
  /**
   * The exact payload: the webhook body (JSON), also the data an email is rendered from. An alert's
   * payload is stored once per change (its message) and only referred to by `message` in the
   * stored record; the repository puts it back here when it reads the record.
   */
  body: string;
  /** The change whose stored message holds the body (alerts); absent when the body is the record's own. */
  message?: MessageRef;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** Attempts made before the current retry schedule began (a manual retry starts a new schedule). */
  scheduleStart: number;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt?: string;
  /** The replay (or backfill) this delivery belongs to: a past event sent again on request. */
  replayId?: string;
}

/** Where one change's alert payload is stored: the event and the change's name (`v3`). */
export interface MessageRef {
  eventId: string;
  change: string;
}

/** The Standard Webhooks body. `data.previous` holds the changed fields' earlier values on updates. */
/** An event in words, beside it in an alert's payload: for a receiver that shows it to people. */
export interface ReadableEvent {
  /** The date in words: "mid-June 2024", "since June 2024, ongoing". */
  date: string;
  /** How precisely the date is known, with its qualifiers: "an approximate day", "from a month, open-ended". */
  precision: string;
  /** "Missile launch". */
  kind: string;
  /** "Kharkiv, Ukraine (UA)". */
  location?: string;
  /** "North Korea (KP), supplier", "Vladimir Putin (person), President of Russia". */
  actors: string[];
}

export interface AlertPayload {
  type: DeliveryKind;
  timestamp: string;
  data: {
    event?: TimelineEvent;
    previous?: Partial<EventInput>;
    changed?: string[];
    subscriptionId?: string;
    message?: string;
    /** The event in words (added beside the event; absent from payloads written before it was). */
    readable?: ReadableEvent;
    /** Set on a past event sent again by a replay or backfill (an `event.created`), with its id. */
    replay?: true;
    replayId?: string;
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A delivery id is a ULID whose time is the change's and whose randomness is a hash of
 * (subscription, event, version): replaying a change can only ever produce the same id,
 * which is also the stable `webhook-id` receivers de-duplicate on.
 */
export function deliveryIdFor(subscriptionId: string, eventId: string, version: number, at: string): string {
  return derivedUlid(`${subscriptionId}\u0000${eventId}\u0000${version}`, Date.parse(at));
}

/** A ULID with the time `at` (epoch ms) whose randomness is a hash of `seed`: the same seed, the same id. */
export function derivedUlid(seed: string, at: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[digest[i]! & 31];
  return `${encodeTime(at, 10)}${random}`;
}

export function alertPayload(
  type: AlertType,
  at: string,
  event: TimelineEvent,
  previous?: Partial<EventInput>,
  readable?: ReadableEvent,
): AlertPayload {
  const changed = previous ? Object.keys(previous) : undefined;
  return {
    type,
    timestamp: at,
    data: {
      event,
      ...(previous && changed?.length ? { previous, changed } : {}),
      ...(readable ? { readable } : {}),
    },
  };
}
