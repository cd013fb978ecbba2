import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type EventInput, resolveStoredDate, type TimelineEvent } from '../domain/event.ts';
import { NotFoundError } from '../errors.ts';
import { batchGet, batchWrite, conditionally, isConditionFailure, type Table } from './dynamo.ts';
import { EVENT_SK, eventKey, feedPartition } from './keys.ts';
import { shardOf } from './shards.ts';
import { shardCounts } from './table.ts';
import { timelineItemKeys, timelineItems } from './timeline-items.ts';

export type ChangeType = 'event.created' | 'event.updated' | 'event.deleted';

/** A change not yet announced. It lives on the event item itself, so the change and the duty to announce it are one write. */
export interface PendingChange {
  type: ChangeType;
  version: number;
  at: string;
  /** For updates: the previous values of the fields that changed. */
  previous?: Partial<EventInput>;
  /** Its number in the change log (shared/store/change-log.ts), taken before the change was written. */
  seq?: number;
}

export interface EventItem {
  pk: string;
  sk: typeof EVENT_SK;
  type: 'event';
  event: TimelineEvent;
  version: number;
  deleted?: boolean;
  changes: Record<string, PendingChange>;
  feedPk?: string;
  feedSk?: string;
}

export const changeName = (change: Pick<PendingChange, 'version'>) => `v${change.version}`;

/** Builds the item for a new state of an event, keeping changes not yet announced and adding this one. */
export function buildEventItem(
  event: TimelineEvent,
  change: PendingChange,
  carried: Record<string, PendingChange> = {},
  deleted = false,
): EventItem {
  const changes = { ...carried, [changeName(change)]: change };
  const oldest = Object.values(changes).reduce((a, b) => (a.at <= b.at ? a : b));
  return {
    ...eventKey(event.id),
    sk: EVENT_SK,
    type: 'event',
    event,
    version: event.version,
    ...(deleted ? { deleted: true } : {}),
    changes,
    feedPk: feedPartition(shardOf(event.id, shardCounts.feed)),
    feedSk: `${oldest.at}#${event.id}`,
  };
}

export interface EventRepositoryOptions {
  /**
   * Write a created event's timeline items (postings and change-index entries, a dozen or more)
   * in batches of 25 rather than as one conditional PutItem each. Safe for creates alone: the
   * event item was just written on the condition that its id was new, so no other writer holds
   * a newer version of these items (and fan-out's repair, `timelineInSync`, would mend any
   * that did). The local runtime sets it, where every request costs its one process CPU; on AWS
   * the functions may not call BatchWriteItem, so every write there stays conditional.
   */
  batchCreates?: boolean;
}

export class EventRepository {
  constructor(
    private readonly table: Table,
    private readonly options: EventRepositoryOptions = {},
  ) {}

  async getItem(id: string): Promise<EventItem | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: eventKey(id), ConsistentRead: true }),
    );
    const item = result.Item as EventItem | undefined;
    if (!item) return undefined;
    const event = resolveStoredDate(item.event);
    return event === item.event ? item : { ...item, event };
  }

  /**
   * Moves an event's place in the `feed` index to `until`: the sweeper, which reads changes older
   * than its grace oldest first, leaves it until then (a fan-out that failed, or one that
   * continuations are walking). Nothing happens when the event has no pending change any more.
   */
  async parkFeed(id: string, until: Date): Promise<void> {
    await ignoreConditionFailure(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: eventKey(id),
          UpdateExpression: 'SET feedSk = :sk',
          ConditionExpression: 'attribute_exists(feedPk)',
          ExpressionAttributeValues: { ':sk': `${until.toISOString()}#${id}` },
        }),
      ),
    );
  }

  /** The live event, or NotFoundError (a deleted event is gone to readers even while its tombstone waits for fan-out). */
  async get(id: string): Promise<TimelineEvent> {
    const item = await this.getItem(id);
    if (!item || item.deleted) throw new NotFoundError(`No event with id ${id}`);
    return item.event;
  }

  /** Writes a new event (its change numbered `seq` in the change log) and its timeline items. */
  async create(event: TimelineEvent, seq?: number): Promise<void> {
    await this.putNew(event, seq);
    await this.writeTimeline(event);
  }

  /**
   * Writes a new event's item, its change numbered `seq` in the change log: the write that accepts
   * it. PreconditionFailedError when the id exists. Its timeline items are `writeTimeline`'s.
   */
  async putNew(event: TimelineEvent, seq?: number): Promise<void> {
    const item = buildEventItem(event, {
      type: 'event.created',
      version: event.version,
      at: event.createdAt,
      ...(seq === undefined ? {} : { seq }),
    });
    await conditionally(
      () =>
        this.table.client.send(
          new PutCommand({
            TableName: this.table.name,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      `Event ${event.id} already exists`,
    );
  }

  /** A created event's timeline items: in batches with `batchCreates`, else one conditional put each. */
  async writeTimeline(event: TimelineEvent): Promise<void> {
    if (this.options.batchCreates) {
      await batchWrite(
        this.table,
        timelineItems(event).map((Item) => ({ PutRequest: { Item } })),
      );
    } else {
      await this.syncTimeline(undefined, event);
    }
  }

  /**
   * The write that accepts a change: the event's next state, if it is still at `current`'s version
   * (PreconditionFailedError otherwise). Its timeline items are `syncTimeline`'s.
   */
  async replace(
    current: EventItem,
    next: TimelineEvent,
    change: PendingChange,
    deleted = false,
  ): Promise<void> {
    const item = buildEventItem(next, change, current.changes, deleted);
    await conditionally(
      () =>
        this.table.client.send(
          new PutCommand({
            TableName: this.table.name,
            Item: item,
            ConditionExpression: 'version = :expected AND attribute_not_exists(deleted)',
            ExpressionAttributeValues: { ':expected': current.version },
          }),
        ),
      `Event ${next.id} changed since version ${current.version}`,
    );
  }

  /**
   * Whether the timeline items already match a change from `before` to `after`: every item of
   * `after` there at its version or newer, none of `before`'s others left. One batched read, so
   * fan-out repairs only what a stopped writer left undone instead of rewriting every item.
   */
  async timelineInSync(
    before: TimelineEvent | undefined,
    after: TimelineEvent | undefined,
  ): Promise<boolean> {
    const id = (key: { pk: string; sk: string }) => `${key.pk}\u0000${key.sk}`;
    const keep = after ? timelineItemKeys(after) : [];
    const keepIds = new Set(keep.map(id));
    const stale = before ? timelineItemKeys(before).filter((key) => !keepIds.has(id(key))) : [];
    const found = await batchGet<{ pk: string; sk: string; version: number }>(
      this.table,
      [...keep, ...stale],
      'pk, sk, version',
    );
    const versions = new Map(found.map((item) => [id(item), item.version]));
    return (
      keep.every((key) => (versions.get(id(key)) ?? -1) >= after!.version) &&
      stale.every((key) => !versions.has(id(key)))
    );
  }

  /**
   * Brings the timeline items in line with an event's change from `before` to `after`. Every write is
   * conditional on versions, so a slow writer can never overwrite a newer state, and running it twice is harmless.
   */
  async syncTimeline(before: TimelineEvent | undefined, after: TimelineEvent | undefined): Promise<void> {
    const keep = new Set(after ? timelineItemKeys(after).map((key) => `${key.pk}\u0000${key.sk}`) : []);
    const stale = before
      ? timelineItemKeys(before).filter((key) => !keep.has(`${key.pk}\u0000${key.sk}`))
      : [];
    const writes: Promise<unknown>[] = [];
    for (const item of after ? timelineItems(after) : []) {
      writes.push(
        ignoreConditionFailure(
          this.table.client.send(
            new PutCommand({
              TableName: this.table.name,
              Item: item,
              ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
              ExpressionAttributeValues: { ':version': item.version },
            }),
          ),
        ),
      );
    }
    const staleVersion = after?.version ?? (before ? before.version + 1 : 0);
    for (const key of stale) {
      writes.push(
        ignoreConditionFailure(
          this.table.client.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: key,
              ConditionExpression: 'version < :version',
              ExpressionAttributeValues: { ':version': staleVersion },
            }),
          ),
        ),
      );
    }
    await Promise.all(writes);
  }
}

async function ignoreConditionFailure(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
