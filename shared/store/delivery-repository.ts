import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryAttempt, DeliveryStatus } from '../domain/delivery.ts';
import { mapLimit } from '../platform/concurrency.ts';
import { batchGet, batchWrite, conditionally, isConditionFailure, queryPage, type Table } from './dynamo.ts';
import { deliveryKey, duePartition } from './keys.ts';
import { MessageStore } from './message-store.ts';
import { allShards, shardOf } from './shards.ts';
import { shardCounts } from './table.ts';

export interface DeliveryRef {
  subscriptionId: string;
  deliveryId: string;
}

interface DeliveryItem {
  pk: string;
  sk: string;
  delivery: Delivery;
  attemptCount: number;
  duePk?: string;
  dueSk?: string;
  expiresAt?: number;
}

/** Finished deliveries are kept 30 days for the delivery log, then expire (TTL on AWS). */
const LOG_RETENTION_SECONDS = 30 * 24 * 3600;

const dueSk = (at: string, ref: DeliveryRef) => `${at}#${ref.subscriptionId}#${ref.deliveryId}`;
/** The `due` index keys of a delivery waiting for an attempt at `at`, in the delivery's own shard. */
const dueKeys = (at: string, ref: DeliveryRef) => ({
  duePk: duePartition(shardOf(ref.deliveryId, shardCounts.due)),
  dueSk: dueSk(at, ref),
});

/** Conditional record writes in flight at once per recordAll call (bounds memory and sockets). */
const RECORD_CONCURRENCY = 32;

/** The delivery as stored: an alert's body stays in its message item. */
function stored(delivery: Delivery): Delivery {
  if (!delivery.message) return delivery;
  const { body: _body, ...rest } = delivery;
  return rest as Delivery;
}

/** BatchWriteItem's limit. */
const BATCH_WRITE_SIZE = 25;

/** Attempts collected by a worker round, stored in batches (DeliveryRepository.attemptBatch). */
export interface AttemptBatch {
  /** Takes an attempt and the delivery's next state; answers the delivery as it will be stored. */
  add(delivery: Delivery, attempt: DeliveryAttempt | undefined, next: DeliveryNext, now: Date): Delivery;
  /** Stores everything added so far; rejects if any batch could not be written. */
  flush(): Promise<void>;
}

/** The item of a delivery not yet attempted, due at `dueAt`. */
function newItem(delivery: Delivery, dueAt: string): DeliveryItem & { type: string } {
  const ref = { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id };
  return {
    ...deliveryKey(ref.subscriptionId, ref.deliveryId),
    type: 'delivery',
    delivery: stored({ ...delivery, nextAttemptAt: dueAt }),
    attemptCount: delivery.attempts.length,
    ...dueKeys(dueAt, ref),
  };
}

/** A delivery after an attempt (if any) and the move to its next state. */
function afterAttempt(
  delivery: Delivery,
  attempt: DeliveryAttempt | undefined,
  next: DeliveryNext,
  now: Date,
): Delivery {
  const updated: Delivery = {
    ...delivery,
    attempts: attempt ? [...delivery.attempts, attempt] : delivery.attempts,
    status: next.status,
    scheduleStart: next.scheduleStart ?? delivery.scheduleStart,
    updatedAt: now.toISOString(),
    ...(next.dueAt ? { nextAttemptAt: next.dueAt } : {}),
  };
  if (!next.dueAt) delete updated.nextAttemptAt;
  return updated;
}

export function parseDueSk(sk: string): DeliveryRef & { dueAt: string } {
  const [dueAt, subscriptionId, deliveryId] = sk.split('#');
  return { dueAt: dueAt!, subscriptionId: subscriptionId!, deliveryId: deliveryId! };
}

export interface DeliveryRepositoryOptions {
  /**
   * Only for a process through which every write of delivery records passes (the local runtime,
   * with its one change feed and one worker): there a record absent when read can only be written
   * by this process, and a pending record is attempted by one worker at a time, so records and
   * attempts may be written in batches (BatchWriteItem takes no conditions). Unset on AWS, where
   * several functions write and every write stays conditional.
   */
  singleWriter?: boolean;
}

/** The next state of a delivery after an attempt (or a manual retry). */
export interface DeliveryNext {
  status: DeliveryStatus;
  dueAt?: string;
  scheduleStart?: number;
}

/** Delivery records: one per (subscription, event change), written with conditions so replays are harmless. */
export class DeliveryRepository {
  /** The payloads of alerts, stored once per change (deliveries refer to them). */
  readonly messages: MessageStore;

  constructor(
    private readonly table: Table,
    private readonly options: DeliveryRepositoryOptions = {},
  ) {
    this.messages = new MessageStore(table);
  }

  /** Whether this repository may write records and attempts in batches (see DeliveryRepositoryOptions). */
  get batched(): boolean {
    return this.options.singleWriter === true;
  }

  /** Records a new delivery, due at `dueAt`. Returns false when it was already recorded (a replay). */
  async record(delivery: Delivery, dueAt: string): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: newItem(delivery, dueAt),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Records new deliveries, all due at `dueAt` (or each at its own, in order), leaving any already
   * recorded alone (a replay). Returns the deliveries recorded by this call, as stored. One
   * conditional write per delivery; with `singleWriter`, one batched read of which exist and
   * batched writes of the others.
   */
  async recordAll(deliveries: Delivery[], dueAt: string | readonly string[]): Promise<Delivery[]> {
    const each = typeof dueAt === 'string' ? undefined : new Map(deliveries.map((d, i) => [d.id, dueAt[i]!]));
    const dueOf = { get: (id: string) => each?.get(id) ?? (dueAt as string) };
    if (!this.batched) {
      const recorded = await mapLimit(deliveries, RECORD_CONCURRENCY, (delivery) =>
        this.record(delivery, dueOf.get(delivery.id)!),
      );
      return deliveries
        .filter((_, i) => recorded[i])
        .map((delivery) => ({ ...delivery, nextAttemptAt: dueOf.get(delivery.id)! }));
    }
    if (deliveries.length === 0) return [];
    const keyOf = (delivery: Delivery) => deliveryKey(delivery.subscriptionId, delivery.id);
    const existing = new Set(
      (await batchGet<{ sk: string }>(this.table, deliveries.map(keyOf), 'pk, sk')).map((item) => item.sk),
    );
    const fresh = deliveries.filter((delivery) => !existing.has(keyOf(delivery).sk));
    await batchWrite(
      this.table,
      fresh.map((delivery) => ({ PutRequest: { Item: newItem(delivery, dueOf.get(delivery.id)!) } })),
    );
    return fresh.map((delivery) => ({ ...delivery, nextAttemptAt: dueOf.get(delivery.id)! }));
  }

  async get(ref: DeliveryRef): Promise<{ delivery: Delivery; attemptCount: number } | undefined> {
    const result = await this.table.client.send(
      new GetCommand({
        TableName: this.table.name,
        Key: deliveryKey(ref.subscriptionId, ref.deliveryId),
        ConsistentRead: true,
      }),
    );
    const item = result.Item as DeliveryItem | undefined;
    if (!item) return undefined;
    const [delivery] = await this.messages.withBodies([item.delivery]);
    return { delivery: delivery!, attemptCount: item.attemptCount };
  }

  /**
   * Claims the next attempt of a delivery for `leaseMs`: a conditional write that succeeds only
   * while no attempt was recorded since `expectedAttempts` and no other worker holds an unexpired
   * claim. Claim first, then send: however many queue messages name one delivery, in one batch or
   * in several workers, one of them sends. False when another worker holds it. A claim ends with
   * the attempt's record (recordAttempt) or, if its worker died, when it expires.
   */
  async claim(ref: DeliveryRef, expectedAttempts: number, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: deliveryKey(ref.subscriptionId, ref.deliveryId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression:
            'attemptCount = :expected AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
          ExpressionAttributeValues: {
            ':until': now.getTime() + leaseMs,
            ':now': now.getTime(),
            ':expected': expectedAttempts,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Records an attempt and the delivery's next state, only if no other worker recorded one since
   * `expectedAttempts` (PreconditionFailedError otherwise).
   */
  async recordAttempt(
    delivery: Delivery,
    expectedAttempts: number,
    attempt: DeliveryAttempt | undefined,
    next: DeliveryNext,
    now: Date,
  ): Promise<Delivery> {
    const ref = { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id };
    const updated = afterAttempt(delivery, attempt, next, now);
    const attempts = updated.attempts;
    const due = next.status === 'pending' && next.dueAt;
    await conditionally(
      () =>
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: deliveryKey(ref.subscriptionId, ref.deliveryId),
            UpdateExpression: due
              ? 'SET delivery = :delivery, attemptCount = :count, duePk = :duePk, dueSk = :dueSk REMOVE expiresAt, leaseUntil'
              : 'SET delivery = :delivery, attemptCount = :count, expiresAt = :expires REMOVE duePk, dueSk, leaseUntil',
            ConditionExpression: 'attemptCount = :expected',
            ExpressionAttributeValues: {
              ':delivery': stored(updated),
              ':count': attempts.length,
              ':expected': expectedAttempts,
              ...(due
                ? { ':duePk': dueKeys(next.dueAt!, ref).duePk, ':dueSk': dueKeys(next.dueAt!, ref).dueSk }
                : { ':expires': Math.floor(now.getTime() / 1000) + LOG_RETENTION_SECONDS }),
            },
          }),
        ),
      `Delivery ${delivery.id} was updated by another worker`,
    );
    return updated;
  }

  /**
   * Collects attempts of one worker round and writes them in batches: whole items, without the
   * condition `recordAttempt` puts on the attempt count, so only for `singleWriter` and only for
   * deliveries the caller attempts alone (the local worker's in-flight set). Writes start as soon
   * as a batch is full; `flush()` writes the rest and resolves once every collected attempt is stored.
   */
  attemptBatch(): AttemptBatch {
    if (!this.batched) throw new Error('attempt batches need a single-writer DeliveryRepository');
    let items: Record<string, unknown>[] = [];
    const writes: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    const write = () => {
      const batch = items;
      items = [];
      if (batch.length === 0) return;
      // Caught at once (a write started mid-round may fail before anyone awaits it); flush reports it.
      writes.push(
        batchWrite(
          this.table,
          batch.map((Item) => ({ PutRequest: { Item } })),
        ).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
    };
    return {
      add: (delivery, attempt, next, now) => {
        const updated = afterAttempt(delivery, attempt, next, now);
        const ref = { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id };
        const due = next.status === 'pending' && next.dueAt;
        items.push({
          ...deliveryKey(ref.subscriptionId, ref.deliveryId),
          type: 'delivery',
          delivery: stored(updated),
          attemptCount: updated.attempts.length,
          ...(due
            ? dueKeys(next.dueAt!, ref)
            : { expiresAt: Math.floor(now.getTime() / 1000) + LOG_RETENTION_SECONDS }),
        } satisfies DeliveryItem & { type: string });
        if (items.length === BATCH_WRITE_SIZE) write();
        return updated;
      },
      flush: async () => {
        write();
        await Promise.all(writes.splice(0));
        if (failure) throw failure.error;
      },
    };
  }

  /** The delivery log of a subscription, newest first. */
  async list(subscriptionId: string, limit: number, before?: string) {
    const page = await queryPage<DeliveryItem>(this.table, {
      KeyConditionExpression: before
        ? 'pk = :pk AND sk BETWEEN :lo AND :before'
        : 'pk = :pk AND begins_with(sk, :lo)',
      ExpressionAttributeValues: {
        ':pk': deliveryKey(subscriptionId, '').pk,
        ':lo': 'DLV#',
        ...(before ? { ':before': `DLV#${before}` } : {}),
      },
      ScanIndexForward: false,
      Limit: limit + 1,
    });
    const items = page.items.filter((item) => item.sk !== `DLV#${before}`).map((item) => item.delivery);
    return { deliveries: await this.messages.withBodies(items.slice(0, limit)), more: items.length > limit };
  }

  /** Deliveries due at or before `now`, oldest first, from every shard of the `due` index (the local queue). */
  async due(now: Date, limit: number): Promise<(DeliveryRef & { dueAt: string })[]> {
    const pages = await Promise.all(
      allShards(shardCounts.due).map((shard) => this.duePage(shard, now, limit)),
    );
    return pages
      .flatMap((page) => page.refs)
      .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))
      .slice(0, limit);
  }

  /**
   * Walks every delivery due at or before `cutoff`, all shards in parallel, page by page, handing
   * each page to `onPage` before reading the next (the AWS sweeper re-drives them as it goes, so
   * memory holds a page per shard). Stops after about `max`; returns how many it handed over.
   */
  async walkDue(
    cutoff: Date,
    options: { pageSize: number; max: number },
    onPage: (refs: DeliveryRef[]) => Promise<void>,
  ): Promise<number> {
    const perShard = Math.ceil(options.max / shardCounts.due);
    const counts = await Promise.all(
      allShards(shardCounts.due).map(async (shard) => {
        let handed = 0;
        let cursor: Record<string, unknown> | undefined;
        do {
          const page = await this.duePage(
            shard,
            cutoff,
            Math.min(options.pageSize, perShard - handed),
            cursor,
          );
          if (page.refs.length > 0)
            await onPage(page.refs.map(({ subscriptionId, deliveryId }) => ({ subscriptionId, deliveryId })));
          handed += page.refs.length;
          cursor = page.next;
        } while (cursor && handed < perShard);
        return handed;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  private async duePage(shard: number, upTo: Date, limit: number, cursor?: Record<string, unknown>) {
    const page = await queryPage<{ dueSk: string }>(this.table, {
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk <= :now',
      ExpressionAttributeValues: { ':pk': duePartition(shard), ':now': `${upTo.toISOString()}#~` },
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    });
    return { refs: page.items.map((item) => parseDueSk(item.dueSk)), next: page.lastKey };
  }
}
