import { monotonicFactory } from 'ulid';
import { canonicalJson, sha256 } from '../domain/canonical-json.ts';
import type { LogPosition } from '../domain/change-log.ts';
import { parseEventDate } from '../domain/dates.ts';
import { changedFields, type EventInput, type TimelineEvent } from '../domain/event.ts';
import { IdempotencyMismatchError, NotFoundError, PreconditionFailedError } from '../errors.ts';
import type { Logger } from '../platform/logger.ts';
import {
  type RecentChangesRequest,
  type RecentChangesResult,
  readRecentChanges,
} from '../store/change-index.ts';
import { ChangeLog } from '../store/change-log.ts';
import { type ChangePage, latestLoggedAt, readChangePage } from '../store/change-log-reader.ts';
import type { Table } from '../store/dynamo.ts';
import { isConditionFailure } from '../store/dynamo.ts';
import {
  buildEventItem,
  changeName,
  type EventItem,
  type EventRepository,
  type PendingChange,
} from '../store/event-repository.ts';
import type { IdempotencyStore } from '../store/idempotency-store.ts';
import {
  readTimelinePage,
  type TimelinePageRequest,
  type TimelinePageResult,
} from '../store/timeline-reader.ts';

export interface EventServiceDeps {
  table: Table;
  events: EventRepository;
  idempotency: IdempotencyStore;
  clock?: () => Date;
  newId?: () => string;
  /** Called after every accepted change, so an in-process change feed can wake up at once. */
  onChange?: () => void;
  /** How long a missing change-log number is waited for before it is sealed (tests shorten it). */
  changeLogSettleMs?: number;
  /** Told when an accepted change's timeline items or change-log entry could not be written (fan-out repairs them). */
  logger?: Pick<Logger, 'warn'>;
}

/** Builds the stored form of an event from its input: the resolved date beside the date as written. */
export function materialiseEvent(
  input: EventInput,
  meta: { id: string; createdAt: string; updatedAt: string; version: number },
): TimelineEvent {
  const { date: _date, ...resolved } = parseEventDate(input.date);
  return { ...input, ...resolved, ...meta };
}

/** The timeline's use cases: create (idempotently), read, patch, delete and list events. */
export class EventService {
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly changeLog: ChangeLog;

  constructor(private readonly deps: EventServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.newId = deps.newId ?? monotonicFactory();
    this.changeLog = new ChangeLog(deps.table, this.clock);
  }

  get(id: string): Promise<TimelineEvent> {
    return this.deps.events.get(id);
  }

  list(request: TimelinePageRequest): Promise<TimelinePageResult> {
    return readTimelinePage(this.deps.table, request);
  }

  /** The live events matching a filter that changed most recently, newest change first (the feeds). */
  recentChanges(request: RecentChangesRequest): Promise<RecentChangesResult> {
    return readRecentChanges(this.deps.table, request);
  }

  /** When the timeline last changed, as its change log says (undefined while the log is empty). */
  latestChangeAt(): Promise<Date | undefined> {
    return latestLoggedAt(this.deps.table);
  }

  /** The change log after `after`: at most `limit` changes, in log order (GoneError for a position the log does not hold). */
  changes(after: LogPosition, limit: number): Promise<ChangePage> {
    return readChangePage(this.deps.table, after, limit, {
      clock: this.clock,
      ...(this.deps.changeLogSettleMs === undefined ? {} : { settleMs: this.deps.changeLogSettleMs }),
    });
  }

  /** Creates an event. With an idempotency key, a repeat of the same body replays the first result. */
  async create(
    input: EventInput,
    idempotency?: { scope: string; key: string },
  ): Promise<{ event: TimelineEvent; replayed: boolean }> {
    const now = this.clock();
    if (!idempotency) return { event: await this.insert(input, this.newId(), now), replayed: false };

    const requestHash = sha256(canonicalJson(input));
    const resourceId = this.newId();
    const reservation = await this.deps.idempotency.reserve<TimelineEvent>(
      idempotency.scope,
      idempotency.key,
      { requestHash, resourceId },
      now,
    );
    if (reservation.reserved) {
      const event = await this.insertOrLoad(input, resourceId, now);
      await this.deps.idempotency.complete(idempotency.scope, idempotency.key, event);
      return { event, replayed: false };
    }
    const { existing } = reservation;
    if (existing.requestHash !== requestHash) {
      throw new IdempotencyMismatchError(
        `Idempotency-Key "${idempotency.key}" was already used with a different request body`,
      );
    }
    if (existing.response) return { event: existing.response, replayed: true };
    // The first request reserved an id but may have stopped before answering: finish its work.
    const event = await this.insertOrLoad(input, existing.resourceId, now);
    await this.deps.idempotency.complete(idempotency.scope, idempotency.key, event);
    return { event, replayed: true };
  }

  private async insert(input: EventInput, id: string, now: Date): Promise<TimelineEvent> {
    const at = now.toISOString();
    const event = materialiseEvent(input, { id, createdAt: at, updatedAt: at, version: 1 });
    const seq = await this.changeLog.allocate();
    const change: PendingChange = { type: 'event.created', version: 1, at, seq };
    await this.sealIfRefused(seq, this.deps.events.putNew(event, seq));
    await this.afterAccepted(event.id, change, [
      () => this.deps.events.writeTimeline(event),
      () => this.changeLog.record(buildEventItem(event, change), change),
    ]);
    this.deps.onChange?.();
    return event;
  }

  private async insertOrLoad(input: EventInput, id: string, now: Date): Promise<TimelineEvent> {
    try {
      return await this.insert(input, id, now);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const item = await this.deps.events.getItem(id);
      if (!item) throw error;
      return item.event;
    }
  }

  /** Applies a change computed from the current input, if the event is still at `expectedVersion`. */
  async update(
    id: string,
    expectedVersion: number,
    change: (current: EventInput) => EventInput,
  ): Promise<TimelineEvent> {
    const current = await this.deps.events.getItem(id);
    if (!current || current.deleted) throw new NotFoundError(`No event with id ${id}`);
    if (current.version !== expectedVersion) {
      throw new PreconditionFailedError(
        `Event ${id} is at version ${current.version}, not ${expectedVersion}; fetch it again and reapply your change`,
      );
    }
    const nextInput = change(inputOf(current.event));
    const previous = changedFields(inputOf(current.event), nextInput);
    if (Object.keys(previous).length === 0) return current.event;
    const at = this.clock().toISOString();
    const next = materialiseEvent(nextInput, {
      id,
      createdAt: current.event.createdAt,
      updatedAt: at,
      version: current.version + 1,
    });
    await this.replace(current, next, { type: 'event.updated', version: next.version, at, previous });
    this.deps.onChange?.();
    return next;
  }

  async remove(id: string, expectedVersion?: number): Promise<void> {
    const current = await this.deps.events.getItem(id);
    if (!current || current.deleted) throw new NotFoundError(`No event with id ${id}`);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new PreconditionFailedError(
        `Event ${id} is at version ${current.version}, not ${expectedVersion}`,
      );
    }
    const at = this.clock().toISOString();
    const tombstone = { ...current.event, updatedAt: at, version: current.version + 1 };
    await this.replace(current, tombstone, { type: 'event.deleted', version: tombstone.version, at }, true);
    this.deps.onChange?.();
  }

  /**
   * Writes an event's next state with its change numbered in the change log. The changes still
   * pending on the current item are made sure to be in the log first: an event's changes are
   * logged in version order even when an earlier writer stopped before logging its own.
   */
  private async replace(
    current: EventItem,
    next: TimelineEvent,
    change: Omit<PendingChange, 'seq'>,
    deleted = false,
  ): Promise<void> {
    await this.changeLog.ensurePending(current);
    const numbered = { ...change, seq: await this.changeLog.allocate() };
    await this.sealIfRefused(numbered.seq, this.deps.events.replace(current, next, numbered, deleted));
    await this.afterAccepted(next.id, numbered, [
      () => this.deps.events.syncTimeline(current.event, deleted ? undefined : next),
      () => this.changeLog.record(buildEventItem(next, numbered, current.changes, deleted), numbered),
    ]);
  }

  /**
   * The writes that follow an accepted change: its timeline items and its change-log entry. The
   * change is accepted once the event item is written (it carries the change as pending), so a
   * failure here does not fail the request — answering 5xx for a stored change would have the
   * client send it again. Fan-out, which every pending change reaches, logs the change and repairs
   * the timeline items before it announces anything (`ensurePending`, `timelineInSync`).
   */
  private async afterAccepted(
    eventId: string,
    change: PendingChange,
    writes: (() => Promise<void>)[],
  ): Promise<void> {
    for (const write of writes) {
      try {
        await write();
      } catch (error) {
        this.deps.logger?.warn('change accepted, a follow-up write failed; fan-out repairs it', {
          eventId,
          change: changeName(change),
          error,
        });
      }
    }
  }

  /** Waits for an event write; when its condition refused it, seals its change-log number (nothing will be logged under it). */
  private async sealIfRefused(seq: number, write: Promise<void>): Promise<void> {
    try {
      await write;
    } catch (error) {
      if (isConditionFailure(error)) await this.changeLog.seal(seq).catch(() => {});
      throw error;
    }
  }
}

/** The client-editable part of a stored event. */
export function inputOf(event: TimelineEvent): EventInput {
  const { kind, title, summary, date, location, actors, tags, sources } = event;
  return { kind, title, summary, date, actors, tags, sources, ...(location ? { location } : {}) };
}
