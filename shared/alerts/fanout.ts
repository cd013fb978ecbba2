import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readableEvent } from '../delivery/email/words.ts';
import { alertPayload, type Delivery } from '../domain/delivery.ts';
import type { TimelineEvent } from '../domain/event.ts';
import { stateBefore, statesAtChanges } from '../domain/event-history.ts';
import type { Logger } from '../platform/logger.ts';
import { ChangeLog } from '../store/change-log.ts';
import type { DeliveryRef, DeliveryRepository } from '../store/delivery-repository.ts';
import { isConditionFailure, type Table } from '../store/dynamo.ts';
import {
  changeName,
  type EventItem,
  type EventRepository,
  type PendingChange,
} from '../store/event-repository.ts';
import { FanoutProgressStore, type FanoutUnit } from '../store/fanout-progress.ts';
import { eventKey } from '../store/keys.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';
import {
  allUnits,
  type ChangeToAnnounce,
  type WalkOptions,
  type WalkResult,
  walkUnits,
} from './fanout-walk.ts';

/**
 * Where new deliveries are announced: SQS on AWS; on one machine, the local worker. `fresh` holds
 * the records this call wrote just now, so a worker in the same process can start without reading
 * them back; every ref is in `refs` whether or not it is fresh.
 */
export interface DeliveryQueue {
  enqueue(refs: DeliveryRef[], fresh?: Delivery[]): Promise<void>;
  /**
   * Optional (the local worker): told which deliveries are about to be recorded, before they are
   * written, so that a worker reading the `due` index meanwhile leaves them to the hand-over that
   * follows instead of attempting them twice. The returned function ends the reservation; it is
   * called after `enqueue`, or when recording failed.
   */
  reserve?(deliveryIds: string[]): () => void;
}

/** A fan-out that goes on in another invocation: one unit (index shard) from its cursor. */
export interface ContinuationMessage {
  eventId: string;
  /** The change's name on its event (`v3`). */
  change: string;
  unit: FanoutUnit;
}

/** Where continuations go (an SQS queue consumed by the fan-out function on AWS). */
export interface FanoutContinuations {
  send(messages: ContinuationMessage[]): Promise<void>;
}

export interface FanoutDeps {
  table: Table;
  events: EventRepository;
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  logger: Logger;
  /**
   * Set on AWS: a walk stopped by its deadline goes on through continuation messages. Without it
   * (one machine) no deadline applies and one call walks every page.
   */
  continuations?: FanoutContinuations;
}

export type FanoutOptions = WalkOptions;

export interface FanoutResult {
  changes: number;
  deliveries: number;
  subscriptionsRead: number;
  /** Changes left to continuations (their fan-out goes on in other invocations). */
  continued: number;
}

/** A continuation that has not advanced for this long was lost (its messages dead-lettered): resume it. */
export const STALLED_FANOUT_MS = 15 * 60 * 1000;

/**
 * Announces every pending change of one event, oldest first: stores the change's message, walks the
 * matching subscriptions page by page recording one delivery each (conditionally, with an id derived
 * from subscription and change, so a replay records nothing new) and enqueueing them, then clears
 * the change from the event item. A change the deadline stops is handed to continuations, and the
 * changes after it wait for it. Safe to run twice, concurrently, or after a crash at any step.
 */
export async function fanOutEvent(
  deps: FanoutDeps,
  eventId: string,
  options: FanoutOptions = {},
): Promise<FanoutResult> {
  const item = await deps.events.getItem(eventId);
  const result: FanoutResult = { changes: 0, deliveries: 0, subscriptionsRead: 0, continued: 0 };
  if (!item) return result;
  // A change leaves its event item only once it is in the change log (its writer may have stopped before logging it).
  await new ChangeLog(deps.table).ensurePending(item);
  const changes = Object.values(item.changes ?? {}).sort((a, b) => a.version - b.version);
  const states = statesAtChanges(item.event, changes);
  const progress = new FanoutProgressStore(deps.table);
  const announced: PendingChange[] = [];
  for (const change of changes) {
    await repairTimeline(deps, item, change);
    const name = changeName(change);
    const underway = deps.continuations ? await progress.get(eventId, name) : undefined;
    if (underway && Date.now() - Date.parse(underway.updatedAt) < STALLED_FANOUT_MS) break;
    const walked = await fanOutChange(deps, states.get(change.version) ?? item.event, change, {
      ...options,
      ...(underway ? { units: underway.units } : {}),
    });
    result.changes++;
    result.deliveries += walked.recorded;
    result.subscriptionsRead += walked.subscriptionsRead;
    if (walked.remaining.length > 0) {
      await handOff(deps, progress, eventId, name, walked.remaining);
      result.continued++;
      break;
    }
    if (underway) await progress.delete(eventId, name);
    announced.push(change);
  }
  await clearChanges(deps, item, announced, announced.length === changes.length);
  return result;
}

/**
 * Stores a change's message, then records and enqueues the deliveries of every matching
 * subscription, page by page: from the start, or from `units` (a stalled fan-out resumed). What a
 * deadline leaves is in `remaining`.
 */
export async function fanOutChange(
  deps: FanoutDeps,
  event: TimelineEvent,
  change: PendingChange,
  options: FanoutOptions & { units?: FanoutUnit[] } = {},
): Promise<WalkResult> {
  const target = await prepareChange(deps, event, change);
  const walked = await walkUnits(deps, target, options.units ?? allUnits(target.partitions), options);
  logFanout(deps, target, walked);
  return walked;
}

/**
 * Goes on with one unit of a continued fan-out. When it finishes the change's last unit the change
 * is cleared, and any change of the event that waited behind it is announced.
 */
export async function continueFanout(
  deps: FanoutDeps,
  message: ContinuationMessage,
  options: FanoutOptions = {},
): Promise<FanoutResult> {
  const result: FanoutResult = { changes: 0, deliveries: 0, subscriptionsRead: 0, continued: 0 };
  const progress = new FanoutProgressStore(deps.table);
  const underway = await progress.get(message.eventId, message.change);
  // Finished already (a duplicate message), or the change is gone with its event.
  if (!underway || !FanoutProgressStore.includes(underway, message.unit)) return result;
  const item = await deps.events.getItem(message.eventId);
  const change = item?.changes?.[message.change];
  if (!item || !change) {
    await progress.delete(message.eventId, message.change);
    return result;
  }
  const changes = Object.values(item.changes).sort((a, b) => a.version - b.version);
  const event = statesAtChanges(item.event, changes).get(change.version) ?? item.event;
  const target = await prepareChange(deps, event, change, { storeMessage: false });
  const walked = await walkUnits(deps, target, [message.unit], options);
  result.deliveries = walked.recorded;
  result.subscriptionsRead = walked.subscriptionsRead;
  logFanout(deps, target, walked);
  const now = new Date();
  const [rest] = walked.remaining;
  if (rest) {
    if (await progress.advance(message.eventId, message.change, rest, now)) {
      await requireContinuations(deps).send([{ ...message, unit: rest }]);
      result.continued = 1;
    }
    return result;
  }
  if ((await progress.finish(message.eventId, message.change, message.unit, now)) > 0) return result;
  // The last unit: the change is announced in full.
  result.changes = 1;
  await clearChanges(deps, item, [change], changes.length === 1);
  await progress.delete(message.eventId, message.change);
  if (changes.length > 1) {
    const after = await fanOutEvent(deps, message.eventId, options);
    result.changes += after.changes;
    result.deliveries += after.deliveries;
    result.continued += after.continued;
  }
  return result;
}

/** The change's states, probed partitions and stored message (written once, before any delivery refers to it). */
async function prepareChange(
  deps: FanoutDeps,
  event: TimelineEvent,
  change: PendingChange,
  options: { storeMessage?: boolean } = {},
): Promise<ChangeToAnnounce> {
  const before = change.previous ? stateBefore(event, change) : event;
  const partitions = await deps.subscriptions.probePartitions(event, ...(before === event ? [] : [before]));
  const message = { eventId: event.id, change: changeName(change) };
  const body = JSON.stringify(
    alertPayload(change.type, change.at, event, change.previous, readableEvent(event)),
  );
  if (options.storeMessage !== false) await deps.deliveries.messages.put(message, body, new Date());
  return { event, before, change, partitions, message, body };
}

async function handOff(
  deps: FanoutDeps,
  progress: FanoutProgressStore,
  eventId: string,
  change: string,
  units: FanoutUnit[],
): Promise<void> {
  const continuations = requireContinuations(deps);
  // Progress first: a continuation that runs before it is written would find nothing to do.
  const now = new Date();
  await progress.start(eventId, change, units, now);
  await continuations.send(units.map((unit) => ({ eventId, change, unit })));
  // The sweeper leaves the event to its continuations until they would count as stalled.
  await deps.events.parkFeed(eventId, new Date(now.getTime() + STALLED_FANOUT_MS));
}

function requireContinuations(deps: FanoutDeps): FanoutContinuations {
  if (!deps.continuations) throw new Error('a fan-out deadline needs a continuation queue');
  return deps.continuations;
}

function logFanout(deps: FanoutDeps, target: ChangeToAnnounce, walked: WalkResult): void {
  deps.logger.info('fan-out', {
    eventId: target.event.id,
    changeId: `${target.event.id}:${changeName(target.change)}`,
    type: target.change.type,
    read: walked.subscriptionsRead,
    matching: walked.matched,
    recorded: walked.recorded,
    collected: walked.collected,
    continued: walked.remaining.length,
  });
}

/** Re-applies the timeline items of a change if the API stopped between the event write and them. */
async function repairTimeline(deps: FanoutDeps, item: EventItem, change: PendingChange): Promise<void> {
  if (change.version !== item.version) return;
  const before =
    change.type === 'event.deleted'
      ? item.event
      : change.previous
        ? stateBefore(item.event, change)
        : undefined;
  const after = change.type === 'event.deleted' ? undefined : item.event;
  if (await deps.events.timelineInSync(before, after)) return;
  deps.logger.warn('timeline items were behind their event; repairing', {
    eventId: item.event.id,
    version: item.version,
  });
  await deps.events.syncTimeline(before, after);
}

/**
 * Removes announced changes; when `all` were announced, drops the feed marker (or a deleted event's
 * tombstone) too, only if nothing new arrived.
 */
async function clearChanges(
  deps: FanoutDeps,
  item: EventItem,
  changes: PendingChange[],
  all: boolean,
): Promise<void> {
  const names = Object.fromEntries(changes.map((change, i) => [`#c${i}`, changeName(change)]));
  const removals = Object.keys(names).map((alias) => `changes.${alias}`);
  const { client, name } = deps.table;
  if (!all) return removeOnly(deps, item, names, removals);
  try {
    if (item.deleted) {
      await client.send(
        new DeleteCommand({
          TableName: name,
          Key: eventKey(item.event.id),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': item.version },
        }),
      );
      return;
    }
    await client.send(
      new UpdateCommand({
        TableName: name,
        Key: eventKey(item.event.id),
        UpdateExpression: `REMOVE ${[...removals, 'feedPk', 'feedSk'].join(', ')}`,
        ConditionExpression: 'version = :version',
        // A replayed record finds nothing left to announce; DynamoDB refuses empty attribute names.
        ...(removals.length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ':version': item.version },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // A newer change arrived meanwhile: remove only what was announced; the marker stays for the new one.
    await removeOnly(deps, item, names, removals);
  }
}

async function removeOnly(
  deps: FanoutDeps,
  item: EventItem,
  names: Record<string, string>,
  removals: string[],
): Promise<void> {
  if (removals.length === 0) return;
  await deps.table.client
    .send(
      new UpdateCommand({
        TableName: deps.table.name,
        Key: eventKey(item.event.id),
        UpdateExpression: `REMOVE ${removals.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
      }),
    )
    .catch((inner) => {
      if (!isConditionFailure(inner)) throw inner;
    });
}
