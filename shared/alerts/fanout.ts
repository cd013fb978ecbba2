import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { alertPayload, type Delivery, deliveryIdFor } from '../domain/delivery.ts';
import type { TimelineEvent } from '../domain/event.ts';
import { stateBefore, statesAtChanges } from '../domain/event-history.ts';
import { matchesFilter } from '../domain/subscription.ts';
import type { Logger } from '../platform/logger.ts';
import type { DeliveryRef, DeliveryRepository } from '../store/delivery-repository.ts';
import { isConditionFailure, type Table } from '../store/dynamo.ts';
import {
  changeName,
  type EventItem,
  type EventRepository,
  type PendingChange,
} from '../store/event-repository.ts';
import { eventKey } from '../store/keys.ts';
import type { SubscriptionRepository } from '../store/subscription-repository.ts';

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

export interface FanoutDeps {
  table: Table;
  events: EventRepository;
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  queue: DeliveryQueue;
  logger: Logger;
}

export interface FanoutResult {
  changes: number;
  deliveries: number;
  subscriptionsRead: number;
}

/**
 * Announces every pending change of one event: records one delivery per matching active
 * subscription (conditionally, with an id derived from subscription and change, so a replay
 * records nothing new), enqueues them, then clears the change from the event item.
 * Safe to run twice, concurrently, or after a crash at any step.
 */
export async function fanOutEvent(deps: FanoutDeps, eventId: string): Promise<FanoutResult> {
  const item = await deps.events.getItem(eventId);
  const result: FanoutResult = { changes: 0, deliveries: 0, subscriptionsRead: 0 };
  if (!item) return result;
  const changes = Object.values(item.changes ?? {}).sort((a, b) => a.version - b.version);
  const states = statesAtChanges(item.event, changes);
  for (const change of changes) {
    await repairTimeline(deps, item, change);
    const { recorded, subscriptionsRead } = await fanOutChange(
      deps,
      states.get(change.version) ?? item.event,
      change,
    );
    result.changes++;
    result.deliveries += recorded;
    result.subscriptionsRead += subscriptionsRead;
  }
  await clearChanges(deps, item, changes);
  return result;
}

/** Records and enqueues the deliveries of one change. */
export async function fanOutChange(
  deps: FanoutDeps,
  event: TimelineEvent,
  change: PendingChange,
): Promise<{ recorded: number; subscriptionsRead: number }> {
  // Previous values can move an event into a filter (or out of it): an update matches either state,
  // so the candidates of both states are read.
  const before = change.previous ? stateBefore(event, change) : event;
  const { candidates, itemsRead } = await deps.subscriptions.candidatesFor(
    event,
    ...(before === event ? [] : [before]),
  );
  const matching = candidates.filter(
    (candidate) =>
      candidate.types.includes(change.type) &&
      (matchesFilter(candidate.filter, event) || matchesFilter(candidate.filter, before)),
  );
  const body = JSON.stringify(alertPayload(change.type, change.at, event, change.previous));
  const deliveries = matching.map(
    (candidate): Delivery => ({
      id: deliveryIdFor(candidate.subscriptionId, event.id, change.version, change.at),
      subscriptionId: candidate.subscriptionId,
      channel: candidate.channel,
      kind: change.type,
      eventId: event.id,
      body,
      status: 'pending',
      attempts: [],
      scheduleStart: 0,
      createdAt: change.at,
      updatedAt: change.at,
    }),
  );
  // Enqueue replays too: the first run may have recorded and then died before enqueueing.
  // The worker skips anything no longer pending, so a second message sends nothing twice.
  const toEnqueue: DeliveryRef[] = deliveries.map((delivery) => ({
    subscriptionId: delivery.subscriptionId,
    deliveryId: delivery.id,
  }));
  const release = deps.queue.reserve?.(toEnqueue.map((ref) => ref.deliveryId));
  let recorded: number;
  try {
    const fresh = await deps.deliveries.recordAll(deliveries, new Date().toISOString());
    recorded = fresh.length;
    await deps.queue.enqueue(toEnqueue, fresh);
  } finally {
    release?.();
  }
  deps.logger.info('fan-out', {
    eventId: event.id,
    changeId: `${event.id}:${changeName(change)}`,
    type: change.type,
    candidates: candidates.length,
    matching: matching.length,
    recorded,
  });
  return { recorded, subscriptionsRead: itemsRead };
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

/** Removes announced changes; drops the feed marker (or a deleted event's tombstone) only if nothing new arrived. */
async function clearChanges(deps: FanoutDeps, item: EventItem, changes: PendingChange[]): Promise<void> {
  const names = Object.fromEntries(changes.map((change, i) => [`#c${i}`, changeName(change)]));
  const removals = Object.keys(names).map((alias) => `changes.${alias}`);
  const { client, name } = deps.table;
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
    if (removals.length === 0) return;
    await client
      .send(
        new UpdateCommand({
          TableName: name,
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
}
