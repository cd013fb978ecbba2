import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, DeliveryAttempt, DeliveryStatus } from '../domain/delivery.ts';
import { conditionally, isConditionFailure, queryPage, type Table } from './dynamo.ts';
import { DUE_PARTITION, deliveryKey } from './keys.ts';

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

export function parseDueSk(sk: string): DeliveryRef & { dueAt: string } {
  const [dueAt, subscriptionId, deliveryId] = sk.split('#');
  return { dueAt: dueAt!, subscriptionId: subscriptionId!, deliveryId: deliveryId! };
}

/** Delivery records: one per (subscription, event change), written with conditions so replays are harmless. */
export class DeliveryRepository {
  constructor(private readonly table: Table) {}

  /** Records a new delivery, due at `dueAt`. Returns false when it was already recorded (a replay). */
  async record(delivery: Delivery, dueAt: string): Promise<boolean> {
    const ref = { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id };
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...deliveryKey(ref.subscriptionId, ref.deliveryId),
            type: 'delivery',
            delivery: { ...delivery, nextAttemptAt: dueAt },
            attemptCount: delivery.attempts.length,
            duePk: DUE_PARTITION,
            dueSk: dueSk(dueAt, ref),
          } satisfies DeliveryItem & { type: string },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
    return item ? { delivery: item.delivery, attemptCount: item.attemptCount } : undefined;
  }

  /**
   * Records an attempt and the delivery's next state, only if no other worker recorded one since
   * `expectedAttempts` (PreconditionFailedError otherwise).
   */
  async recordAttempt(
    delivery: Delivery,
    expectedAttempts: number,
    attempt: DeliveryAttempt | undefined,
    next: { status: DeliveryStatus; dueAt?: string; scheduleStart?: number },
    now: Date,
  ): Promise<Delivery> {
    const ref = { subscriptionId: delivery.subscriptionId, deliveryId: delivery.id };
    const attempts = attempt ? [...delivery.attempts, attempt] : delivery.attempts;
    const updated: Delivery = {
      ...delivery,
      attempts,
      status: next.status,
      scheduleStart: next.scheduleStart ?? delivery.scheduleStart,
      updatedAt: now.toISOString(),
      ...(next.dueAt ? { nextAttemptAt: next.dueAt } : {}),
    };
    if (!next.dueAt) delete updated.nextAttemptAt;
    const due = next.status === 'pending' && next.dueAt;
    await conditionally(
      () =>
        this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: deliveryKey(ref.subscriptionId, ref.deliveryId),
            UpdateExpression: due
              ? 'SET delivery = :delivery, attemptCount = :count, duePk = :duePk, dueSk = :dueSk REMOVE expiresAt'
              : 'SET delivery = :delivery, attemptCount = :count, expiresAt = :expires REMOVE duePk, dueSk',
            ConditionExpression: 'attemptCount = :expected',
            ExpressionAttributeValues: {
              ':delivery': updated,
              ':count': attempts.length,
              ':expected': expectedAttempts,
              ...(due
                ? { ':duePk': DUE_PARTITION, ':dueSk': dueSk(next.dueAt!, ref) }
                : { ':expires': Math.floor(now.getTime() / 1000) + LOG_RETENTION_SECONDS }),
            },
          }),
        ),
      `Delivery ${delivery.id} was updated by another worker`,
    );
    return updated;
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
    return { deliveries: items.slice(0, limit), more: items.length > limit };
  }

  /** Deliveries due at or before `now`, oldest first (the local queue, and the AWS sweeper). */
  async due(now: Date, limit: number): Promise<(DeliveryRef & { dueAt: string })[]> {
    const page = await queryPage<{ dueSk: string }>(this.table, {
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk <= :now',
      ExpressionAttributeValues: { ':pk': DUE_PARTITION, ':now': `${now.toISOString()}#~` },
      Limit: limit,
    });
    return page.items.map((item) => parseDueSk(item.dueSk));
  }
}
