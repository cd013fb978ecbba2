import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageRef } from '../domain/delivery.ts';
import type { DigestChange, DigestEntry, DigestPeriod } from '../domain/digest.ts';
import { isConditionFailure, queryAll, queryPage, type Table } from './dynamo.ts';
import { DIGEST_PERIOD_SK, digestDuePartition, digestEntryKey, digestPeriodKey } from './keys.ts';
import { shardOf } from './shards.ts';
import { shardCounts } from './table.ts';

/** One subscription's period, as the digest run finds it on the `due` index. */
export interface DigestPeriodRef {
  subscriptionId: string;
  period: DigestPeriod;
}

/** A change as fan-out collects it for one digest subscription. */
export interface CollectedChange {
  eventId: string;
  version: number;
  message: MessageRef;
  change: DigestChange;
}

const DAY_SECONDS = 86_400;
/** Entries outlive their period by this much: its digest is sent long before they expire. */
const ENTRY_RETENTION_SECONDS = 14 * DAY_SECONDS;
/** A sent period's header stays this long (a replayed schedule finds it sent), then expires. */
const SENT_RETENTION_SECONDS = 7 * DAY_SECONDS;

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

const dueSk = (ref: DigestPeriodRef) => `${ref.period.end}#${ref.subscriptionId}#${ref.period.start}`;

export function parseDigestDueSk(sk: string): DigestPeriodRef {
  const [end, subscriptionId, start] = sk.split('#');
  return { subscriptionId: subscriptionId!, period: { start: start!, end: end! } };
}

/**
 * Digest entries and period headers. Fan-out writes the entry first and then opens the header;
 * the digest run closes the header before it reads the entries. So an entry whose header write
 * found the period open is read by the run, and a change that finds its period closed goes to the
 * next one (collect answers false): nothing collected is lost, whichever order the two meet in.
 */
export class DigestStore {
  constructor(private readonly table: Table) {}

  /**
   * Collects one change of one event for a subscription's period: the event's entry keeps the
   * latest change's message and appends the change (a replayed change, no newer than the entry,
   * writes nothing), then the period's header is opened on the `due` index. False when the period
   * is closed already; the caller collects the change into a later one.
   */
  async collect(subscriptionId: string, period: DigestPeriod, collected: CollectedChange): Promise<boolean> {
    await this.writeEntry(subscriptionId, period, collected);
    return this.open({ subscriptionId, period });
  }

  private async writeEntry(subscriptionId: string, period: DigestPeriod, collected: CollectedChange) {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: digestEntryKey(subscriptionId, period.start, collected.eventId),
          UpdateExpression:
            'SET #type = :type, eventId = :eventId, #version = :version, #message = :message, ' +
            'happened = list_append(if_not_exists(happened, :none), :change), expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
          ExpressionAttributeNames: { '#type': 'type', '#version': 'version', '#message': 'message' },
          ExpressionAttributeValues: {
            ':type': 'digest-entry',
            ':eventId': collected.eventId,
            ':version': collected.version,
            ':message': collected.message,
            ':none': [],
            ':change': [collected.change],
            ':expires': epochSeconds(period.end) + ENTRY_RETENTION_SECONDS,
          },
        }),
      );
    } catch (error) {
      // Collected already (a replayed change, or an older one after a newer): nothing to add.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Puts the period on the `due` index, unless its digest run has closed it. */
  private async open(ref: DigestPeriodRef): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: digestPeriodKey(ref.subscriptionId, ref.period.start),
          UpdateExpression:
            'SET #type = :type, subscriptionId = :subscription, periodStart = :start, periodEnd = :end, ' +
            'duePk = :duePk, dueSk = :dueSk',
          ConditionExpression: 'attribute_not_exists(#state)',
          ExpressionAttributeNames: { '#type': 'type', '#state': 'state' },
          ExpressionAttributeValues: {
            ':type': 'digest-period',
            ':subscription': ref.subscriptionId,
            ':start': ref.period.start,
            ':end': ref.period.end,
            ':duePk': digestDuePartition(shardOf(ref.subscriptionId, shardCounts.digestDue)),
            ':dueSk': dueSk(ref),
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
   * Closes a period before its digest is built: from now on fan-out collects into the next one.
   * False when there is nothing to close (its digest was sent already).
   */
  async close(ref: DigestPeriodRef): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: digestPeriodKey(ref.subscriptionId, ref.period.start),
          UpdateExpression: 'SET #state = :closing',
          ConditionExpression: 'attribute_exists(duePk)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':closing': 'closing' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Every entry of a period (read consistently, after it was closed). */
  async entries(ref: DigestPeriodRef): Promise<DigestEntry[]> {
    const { pk } = digestPeriodKey(ref.subscriptionId, ref.period.start);
    const { items } = await queryAll<DigestEntry & { sk: string }>(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entries)',
      ExpressionAttributeValues: { ':pk': pk, ':entries': 'EVT#' },
      ConsistentRead: true,
    });
    return items.map(({ eventId, version, message, happened }) => ({ eventId, version, message, happened }));
  }

  /** Marks a period's digest sent: off the `due` index; the header expires a week later. */
  async settle(ref: DigestPeriodRef, now: Date): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: digestPeriodKey(ref.subscriptionId, ref.period.start),
        UpdateExpression: 'SET #state = :sent, expiresAt = :expires REMOVE duePk, dueSk',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':expires': Math.floor(now.getTime() / 1000) + SENT_RETENTION_SECONDS,
        },
      }),
    );
  }

  /** One page of one shard's periods that ended at or before `upTo`, oldest first. */
  async duePage(
    shard: number,
    upTo: Date,
    limit: number,
    cursor?: Record<string, unknown>,
  ): Promise<{ refs: DigestPeriodRef[]; next?: Record<string, unknown> }> {
    const page = await queryPage<{ sk: string; dueSk: string }>(this.table, {
      IndexName: 'due',
      KeyConditionExpression: 'duePk = :pk AND dueSk <= :upTo',
      ExpressionAttributeValues: { ':pk': digestDuePartition(shard), ':upTo': `${upTo.toISOString()}#~` },
      Limit: limit,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    });
    return {
      refs: page.items
        .filter((item) => item.sk === DIGEST_PERIOD_SK)
        .map((item) => parseDigestDueSk(item.dueSk)),
      ...(page.lastKey ? { next: page.lastKey } : {}),
    };
  }
}
