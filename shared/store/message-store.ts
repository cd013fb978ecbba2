import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, MessageRef } from '../domain/delivery.ts';
import { batchGet, type Table } from './dynamo.ts';
import { messageKey } from './keys.ts';

/**
 * Messages (one change's payload) outlive the deliveries that refer to them: a finished delivery's
 * log entry is kept 30 days, and a dead one may be retried by hand within them.
 */
const MESSAGE_RETENTION_SECONDS = 90 * 24 * 3600;

/** Messages kept in memory per container: one fan-out's deliveries mostly share one. */
const MESSAGE_CACHE_SIZE = 256;

/** What the log shows for a delivery whose message has expired (older than its retention). */
const MISSING_MESSAGE = '{"error":"the message of this delivery is no longer kept"}';

const idOf = (ref: MessageRef) => `${ref.eventId}/${ref.change}`;

/**
 * The payload of each change's alerts, stored once beside its event (as webhook platforms keep a
 * message once and attempts per endpoint): delivery records refer to it and stay small, and the
 * repository puts the body back into every record it reads, so the log shows exactly what was sent.
 */
export class MessageStore {
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly table: Table) {}

  /**
   * Stores a change's payload. Written before any delivery that refers to it; the same change
   * always has the same payload, so writing it again (a replay) changes nothing.
   */
  async put(ref: MessageRef, body: string, now: Date): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...messageKey(ref.eventId, ref.change),
          type: 'message',
          body,
          expiresAt: Math.floor(now.getTime() / 1000) + MESSAGE_RETENTION_SECONDS,
        },
      }),
    );
    this.remember(ref, Promise.resolve(body));
  }

  /** Puts the bodies of records that refer to a message back (one batched read for those not cached). */
  async withBodies(deliveries: Delivery[]): Promise<Delivery[]> {
    await this.prefetch(deliveries.flatMap(({ message }) => (message ? [message] : [])));
    return Promise.all(
      deliveries.map(async (delivery) =>
        delivery.message
          ? { ...delivery, body: (await this.body(delivery.message)) ?? MISSING_MESSAGE }
          : delivery,
      ),
    );
  }

  /** The bodies of messages (undefined for one no longer kept), with one batched read for those not cached. */
  async bodies(refs: readonly MessageRef[]): Promise<(string | undefined)[]> {
    await this.prefetch(refs);
    return Promise.all(refs.map((ref) => this.body(ref)));
  }

  /** Reads the messages not cached yet in batches (a single one is left to `body`). */
  private async prefetch(refs: readonly MessageRef[]): Promise<void> {
    const missing = new Map<string, MessageRef>();
    for (const message of refs) if (!this.cache.has(idOf(message))) missing.set(idOf(message), message);
    if (missing.size > 1) {
      const items = await batchGet<{ pk: string; sk: string; body: string }>(
        this.table,
        [...missing.values()].map((ref) => messageKey(ref.eventId, ref.change)),
      );
      for (const item of items)
        this.remember(
          { eventId: item.pk.slice('EVENT#'.length), change: item.sk.slice('MSG#'.length) },
          Promise.resolve(item.body),
        );
    }
  }

  /** One message's body, from the container's cache when it is there. */
  private body(ref: MessageRef): Promise<string | undefined> {
    const cached = this.cache.get(idOf(ref));
    if (cached) return cached;
    const read = this.table.client
      .send(new GetCommand({ TableName: this.table.name, Key: messageKey(ref.eventId, ref.change) }))
      .then((result) => result.Item?.body as string | undefined);
    this.remember(ref, read);
    read.catch(() => this.cache.delete(idOf(ref)));
    return read;
  }

  private remember(ref: MessageRef, body: Promise<string | undefined>): void {
    if (this.cache.size >= MESSAGE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(idOf(ref), body);
  }
}
