import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ChangeEntry, changeTypeOf, type LogSlot } from '../domain/change-log.ts';
import { statesAtChanges } from '../domain/event-history.ts';
import { isConditionFailure, type Table } from './dynamo.ts';
import { changeName, type EventItem, type PendingChange } from './event-repository.ts';
import { changeLogKey, eventKey, metaKey } from './keys.ts';

/**
 * The durable change log: every create, update and delete of an event, numbered from one counter,
 * kept for good. docs/data-model.md ("The change log") explains the protocol; in short:
 *
 * 1. a writer takes a number (`allocate`) before it writes the event item, and the item's pending
 *    change carries it: the change and the duty to log it under that number are one item write;
 * 2. after the write it logs the change under its number (`record`); a writer whose write was
 *    refused seals its number as void (`seal`);
 * 3. a reader hands out only the gap-free run of numbers, and seals a number still missing long
 *    after a later one was logged; a writer that finds its number sealed logs again under a new one;
 * 4. before an event's next change is written, and before fan-out clears a change, every pending
 *    change of the event is made sure to be in the log (`ensurePending`), so an event's changes are
 *    in the log in version order and no change leaves its event item without its entry.
 */

interface LogItem {
  pk: string;
  sk: string;
  type: 'change-log';
  seq: number;
  loggedAt: string;
  entry?: ChangeEntry;
  void?: true;
}

const SEQUENCE = 'change-log-sequence';

/** How often making sure of one change may find another writer mid-way before it gives up (an error, retried by fan-out). */
const MAX_ENSURE_ROUNDS = 8;

export const slotOf = (item: LogItem): LogSlot => ({
  seq: item.seq,
  loggedAt: item.loggedAt,
  ...(item.entry ? { entry: item.entry } : {}),
});

/** Writes a slot unless one exists under its number; false when one did. */
export async function putSlot(
  table: Table,
  seq: number,
  loggedAt: Date,
  entry?: ChangeEntry,
): Promise<boolean> {
  const item: LogItem = {
    ...changeLogKey(seq),
    type: 'change-log',
    seq,
    loggedAt: loggedAt.toISOString(),
    ...(entry ? { entry } : { void: true }),
  };
  try {
    await table.client.send(
      new PutCommand({ TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Seals a number as void: nobody may log under it any more. False when it holds a change (or was sealed) already. */
export const sealSlot = (table: Table, seq: number, now: Date): Promise<boolean> => putSlot(table, seq, now);

/** The entry a change of this event item stands for: its state at that version, none for a deletion. */
export function entryOf(item: EventItem, change: PendingChange): ChangeEntry {
  const type = changeTypeOf(change.type);
  const entry: ChangeEntry = { type, eventId: item.event.id, version: change.version, at: change.at };
  if (type === 'deleted') return entry;
  const event =
    change.version === item.version
      ? item.event
      : statesAtChanges(item.event, Object.values(item.changes ?? {})).get(change.version);
  return event ? { ...entry, event } : entry;
}

export class ChangeLog {
  constructor(
    private readonly table: Table,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Takes the next number (one atomic increment of the sequence item). */
  async allocate(): Promise<number> {
    const result = await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: metaKey(SEQUENCE),
        UpdateExpression: 'ADD seq :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.seq);
  }

  /** The last number taken (0 before the first change). */
  async head(): Promise<number> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: metaKey(SEQUENCE), ConsistentRead: true }),
    );
    return Number(result.Item?.seq ?? 0);
  }

  async slot(seq: number): Promise<LogSlot | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: changeLogKey(seq), ConsistentRead: true }),
    );
    return result.Item ? slotOf(result.Item as LogItem) : undefined;
  }

  /** Seals a number whose writer's event write was refused, so readers need not wait for it. */
  async seal(seq: number): Promise<void> {
    await sealSlot(this.table, seq, this.clock());
  }

  /** Logs a change its writer has just written to `item`, under the number the change carries. */
  async record(item: EventItem, change: PendingChange): Promise<void> {
    if (
      change.seq !== undefined &&
      (await putSlot(this.table, change.seq, this.clock(), entryOf(item, change)))
    )
      return;
    // Sealed meanwhile (the writer was slow), or the change carries no number: log it again.
    await this.ensure(item.event.id, changeName(change), item);
  }

  /** Makes sure every change still pending on the event item is in the log, oldest first. */
  async ensurePending(item: EventItem): Promise<void> {
    const pending = Object.values(item.changes ?? {}).sort((a, b) => a.version - b.version);
    for (const change of pending) await this.ensure(item.event.id, changeName(change), item);
  }

  /**
   * Makes sure one change of an event is in the log: its slot holds it, or is written now; a change
   * whose number was sealed (or that has none, written before the log existed) gets a new number,
   * claimed on the event item with a condition on the old one, so two helpers never log it twice.
   */
  private async ensure(eventId: string, name: string, known?: EventItem): Promise<void> {
    let item = known;
    for (let round = 0; round < MAX_ENSURE_ROUNDS; round++) {
      if (round > 0 || !item) item = await this.eventItem(eventId);
      const change = item?.changes?.[name];
      // Gone from the item: fan-out announced it, and it made sure of it first.
      if (!item || !change) return;
      if (change.seq !== undefined) {
        const slot = await this.slot(change.seq);
        if (slot?.entry?.eventId === eventId && slot.entry.version === change.version) return;
        if (!slot) {
          if (await putSlot(this.table, change.seq, this.clock(), entryOf(item, change))) return;
          continue;
        }
      }
      const seq = await this.allocate();
      if (!(await this.claim(eventId, name, change.seq, seq))) {
        await this.seal(seq);
        continue;
      }
      if (await putSlot(this.table, seq, this.clock(), entryOf(item, { ...change, seq }))) return;
    }
    throw new Error(`could not log change ${name} of event ${eventId}: other writers kept changing it`);
  }

  /** Moves a pending change to a new number, if it still has the old one. */
  private async claim(eventId: string, name: string, old: number | undefined, seq: number): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: eventKey(eventId),
          UpdateExpression: 'SET changes.#change.seq = :seq',
          ConditionExpression:
            old === undefined
              ? 'attribute_exists(changes.#change) AND attribute_not_exists(changes.#change.seq)'
              : 'changes.#change.seq = :old',
          ExpressionAttributeNames: { '#change': name },
          ExpressionAttributeValues: { ':seq': seq, ...(old === undefined ? {} : { ':old': old }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async eventItem(eventId: string): Promise<EventItem | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: eventKey(eventId), ConsistentRead: true }),
    );
    return result.Item as EventItem | undefined;
  }
}
