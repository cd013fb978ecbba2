/**
 * Replays and backfills: past events that match a subscription, read from the timeline by their
 * own date (overlap, as `GET /v1/events` reads them), sent in timeline order as `event.created`
 * deliveries marked `replay: true`. Bounded (MAX_REPLAY_EVENTS), rate-limited per subscription,
 * and idempotent: a replay has an id, and each of its deliveries an id derived from it and the event.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeTime, monotonicFactory } from 'ulid';
import { canonicalJson, sha256 } from '../domain/canonical-json.ts';
import { alertPayload, type Delivery, derivedUlid } from '../domain/delivery.ts';
import type { TimelineEvent } from '../domain/event.ts';
import type { BackfillRequest, Subscription } from '../domain/subscription.ts';
import {
  ConflictError,
  IdempotencyMismatchError,
  RangeTooBroadError,
  TooManyRequestsError,
} from '../errors.ts';
import type { DeliveryRepository } from '../store/delivery-repository.ts';
import { isConditionFailure, type Table } from '../store/dynamo.ts';
import { type IdempotencyRecord, IdempotencyStore } from '../store/idempotency-store.ts';
import { idempotencyKey, throttleKey } from '../store/keys.ts';
import { readTimelinePage } from '../store/timeline-reader.ts';
import type { DeliveryQueue } from './fanout.ts';

/** Events one replay sends at most; a wider range is refused (422) and has to be narrowed. */
export const MAX_REPLAY_EVENTS = 500;
/** The most past events a backfill by count sends. */
export const MAX_BACKFILL_LIMIT = 50;
/** One replay per subscription in this interval (a backfill counts as one). */
export const REPLAY_INTERVAL_MS = 60_000;
/** Timeline pages read for one replay at most (each examines at most 1,000 items). */
const MAX_PAGES = 25;
const PAGE_SIZE = 200;

export interface ReplayDeps {
  table: Table;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  clock?: () => Date;
  /** Events one replay sends at most (default MAX_REPLAY_EVENTS; tests lower it). */
  maxEvents?: number;
}

/** What a replay did, as the API answers it (and as an Idempotency-Key replays it). */
export interface Replay {
  id: string;
  subscriptionId: string;
  /** The range asked for (EDTF boundaries resolved to days), or the count of a backfill. */
  from?: string;
  to?: string;
  limit?: number;
  /** Events sent (each one delivery). */
  events: number;
  createdAt: string;
}

const newId = monotonicFactory();

/**
 * The delivery id of one replayed event, from `replay:<replayId>:<eventId>` (timed as the replay
 * id is): one per replay and event, so a retried replay records nothing new.
 */
export const replayDeliveryId = (replayId: string, eventId: string) =>
  derivedUlid(`replay:${replayId}:${eventId}`, decodeTime(replayId));

/** A subscription's backfill has one id, so a confirmation followed twice backfills once. */
export const backfillId = (subscription: Pick<Subscription, 'id' | 'createdAt'>) =>
  derivedUlid(`backfill:${subscription.id}`, Date.parse(subscription.createdAt));

export class ReplayService {
  private readonly clock: () => Date;
  private readonly idempotency: IdempotencyStore;

  constructor(private readonly deps: ReplayDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.idempotency = new IdempotencyStore(deps.table);
  }

  /**
   * Past events that match the subscription's filter, in timeline order: those whose date
   * overlaps from..to (at most MAX_REPLAY_EVENTS, else RangeTooBroadError), or the latest `limit`.
   */
  async matching(
    subscription: Pick<Subscription, 'filter'>,
    request: BackfillRequest,
    options: { truncate?: boolean } = {},
  ): Promise<TimelineEvent[]> {
    const filter = {
      ...subscription.filter,
      ...('from' in request ? { from: request.from, to: request.to } : {}),
    };
    if ('limit' in request) {
      const page = await readTimelinePage(this.deps.table, {
        ...filter,
        order: 'desc',
        limit: request.limit,
      });
      return page.items.reverse();
    }
    const max = this.deps.maxEvents ?? MAX_REPLAY_EVENTS;
    const events: TimelineEvent[] = [];
    let after: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages === MAX_PAGES) {
        if (options.truncate) return events;
        throw tooBroad('more events than can be checked in one replay', max);
      }
      const page = await readTimelinePage(this.deps.table, {
        ...filter,
        order: 'asc',
        limit: PAGE_SIZE,
        ...(after ? { after } : {}),
      });
      events.push(...page.items);
      if (events.length > max) {
        if (options.truncate) return events.slice(0, max);
        throw tooBroad(`more than ${max} events`, max);
      }
      if (!page.next) return events;
      after = page.next;
    }
  }

  /**
   * Replays the events of `request` to an active subscription: checked first (the range read,
   * refused if too broad), then rate-limited, then recorded. With an Idempotency-Key, the same
   * request again answers the first replay (and finishes it if it stopped part-way) instead.
   */
  async replay(
    subscription: Subscription,
    request: BackfillRequest,
    requestKey?: string,
  ): Promise<{ replay: Replay; repeated: boolean }> {
    if (subscription.status !== 'active')
      throw new ConflictError(
        `Only an active subscription takes replays; this one is ${subscription.status}`,
      );
    const events = await this.matching(subscription, request);
    const now = this.clock();
    const scope = `replay#${subscription.id}`;
    const requestHash = sha256(canonicalJson(request));
    if (requestKey) {
      const prior = await this.prior(scope, requestKey);
      if (prior) return this.again(subscription, request, events, scope, requestKey, requestHash, prior);
    }
    // Taken before the key is reserved, so a request refused here leaves no reservation to reuse.
    await this.takeSlot(subscription.id, now);
    const id = newId(now.getTime());
    const createdAt = now.toISOString();
    if (requestKey) {
      const reservation = await this.idempotency.reserve<Replay>(
        scope,
        requestKey,
        { requestHash, resourceId: id },
        now,
      );
      if (!reservation.reserved)
        return this.again(
          subscription,
          request,
          events,
          scope,
          requestKey,
          requestHash,
          reservation.existing,
        );
    }
    const replay = await this.send(subscription, id, createdAt, request, events);
    if (requestKey) await this.idempotency.complete(scope, requestKey, replay);
    return { replay, repeated: false };
  }

  /** The record an earlier request with this Idempotency-Key left, if any. */
  private async prior(scope: string, key: string): Promise<IdempotencyRecord<Replay> | undefined> {
    const { Item } = await this.deps.table.client.send(
      new GetCommand({
        TableName: this.deps.table.name,
        Key: idempotencyKey(scope, key),
        ConsistentRead: true,
      }),
    );
    return Item as IdempotencyRecord<Replay> | undefined;
  }

  /** A request repeated with its Idempotency-Key: the first answer, or the first replay finished under its id. */
  private async again(
    subscription: Subscription,
    request: BackfillRequest,
    events: TimelineEvent[],
    scope: string,
    key: string,
    requestHash: string,
    existing: IdempotencyRecord<Replay>,
  ): Promise<{ replay: Replay; repeated: boolean }> {
    if (existing.requestHash !== requestHash)
      throw new IdempotencyMismatchError(`Idempotency-Key "${key}" was already used for another replay`);
    if (existing.response) return { replay: existing.response, repeated: true };
    // The first request stopped before answering: its deliveries so far have ids from its replay id.
    const at = this.clock().toISOString();
    const replay = await this.send(subscription, existing.resourceId, at, request, events);
    await this.idempotency.complete(scope, key, replay);
    return { replay, repeated: true };
  }

  /**
   * A new subscription's backfill (a webhook's when created, an email's once confirmed): `events`
   * as checked when subscribing, else read now (a range cut at MAX_REPLAY_EVENTS). Its id comes
   * from the subscription, so doing it again sends nothing twice. It counts as the subscription's
   * replay for the rate limit and is never refused by it.
   */
  async backfill(
    subscription: Subscription,
    request: BackfillRequest,
    events?: TimelineEvent[],
  ): Promise<Replay> {
    const found = events ?? (await this.matching(subscription, request, { truncate: true }));
    const now = this.clock();
    await this.takeSlot(subscription.id, now, { always: true });
    return this.send(subscription, backfillId(subscription), now.toISOString(), request, found);
  }

  /** Records and enqueues one replayed `event.created` per event, in timeline order. */
  private async send(
    subscription: Subscription,
    replayId: string,
    at: string,
    request: BackfillRequest,
    events: TimelineEvent[],
  ): Promise<Replay> {
    const deliveries = events.map((event): Delivery => {
      const payload = alertPayload('event.created', at, event);
      return {
        id: replayDeliveryId(replayId, event.id),
        subscriptionId: subscription.id,
        channel: subscription.channel,
        kind: 'event.created',
        eventId: event.id,
        replayId,
        body: JSON.stringify({ ...payload, data: { ...payload.data, replay: true, replayId } }),
        status: 'pending',
        attempts: [],
        scheduleStart: 0,
        createdAt: at,
        updatedAt: at,
      };
    });
    const refs = deliveries.map((delivery) => ({ subscriptionId: subscription.id, deliveryId: delivery.id }));
    const release = this.deps.queue.reserve?.(refs.map((ref) => ref.deliveryId));
    try {
      // Due a millisecond apart, in timeline order, so a worker reading the `due` index sends them so.
      const start = this.clock().getTime();
      const dueAt = deliveries.map((_, i) => new Date(start + i).toISOString());
      const fresh = await this.deps.deliveries.recordAll(deliveries, dueAt);
      if (refs.length > 0) await this.deps.queue.enqueue(refs, fresh);
    } finally {
      release?.();
    }
    return {
      id: replayId,
      subscriptionId: subscription.id,
      ...request,
      events: events.length,
      createdAt: at,
    };
  }

  /** One replay per subscription per REPLAY_INTERVAL_MS: a conditional write, else 429 with Retry-After. */
  private async takeSlot(
    subscriptionId: string,
    now: Date,
    options: { always?: boolean } = {},
  ): Promise<void> {
    const key = throttleKey(`replay#${subscriptionId}`, 'last');
    try {
      await this.deps.table.client.send(
        new UpdateCommand({
          TableName: this.deps.table.name,
          Key: key,
          UpdateExpression: 'SET lastAt = :now, expiresAt = :expires',
          ...(options.always
            ? {}
            : { ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :cutoff' }),
          ExpressionAttributeValues: {
            ':now': now.getTime(),
            ':expires': Math.floor(now.getTime() / 1000) + 86_400,
            ...(options.always ? {} : { ':cutoff': now.getTime() - REPLAY_INTERVAL_MS }),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.deps.table.client.send(
        new GetCommand({ TableName: this.deps.table.name, Key: key, ConsistentRead: true }),
      );
      const waitMs = Number(Item?.lastAt ?? now.getTime()) + REPLAY_INTERVAL_MS - now.getTime();
      throw new TooManyRequestsError(
        `One replay a minute per subscription; try again in ${Math.max(1, Math.ceil(waitMs / 1000))} s`,
        Math.max(1, Math.ceil(waitMs / 1000)),
      );
    }
  }
}

const tooBroad = (what: string, max: number) =>
  new RangeTooBroadError(
    `The range matches ${what}: a replay sends at most ${max}. Narrow from/to (or the filter) and send several replays`,
    [{ path: 'body.from', message: `matches more than ${max} events` }],
  );
