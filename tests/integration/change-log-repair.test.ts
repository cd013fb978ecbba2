import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { ChangeEntry, LogPosition } from '../../shared/domain/change-log.ts';
import { changedFields } from '../../shared/domain/event.ts';
import { EventService, inputOf, materialiseEvent } from '../../shared/events/event-service.ts';
import { ChangeLog } from '../../shared/store/change-log.ts';
import { readChangePage } from '../../shared/store/change-log-reader.ts';
import { buildEventItem, type PendingChange } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

/**
 * "Accepted data is never lost": whatever step a writer stops at, every committed change reaches
 * the change log, once, in its event's version order, and a number nobody will log under does not
 * hold the log up for longer than the settle window.
 */

let stack: AlertStack;
let log: ChangeLog;
/** The feed as a reader whose settle window has passed for every number taken (it seals at once). */
let patient: EventService;

beforeAll(async () => {
  stack = await startAlertStack();
  log = new ChangeLog(stack.table);
  patient = new EventService({
    table: stack.table,
    events: stack.eventRepository,
    idempotency: new IdempotencyStore(stack.table),
    changeLogSettleMs: 0,
  });
});
afterAll(async () => {
  await stack?.close();
});

/** Where the log ends now (every earlier test's changes read). */
async function endOfLog(): Promise<LogPosition> {
  let position: LogPosition = { seq: 0, tag: '' };
  for (;;) {
    const page = await patient.changes(position, 200);
    position = page.position;
    if (!page.hasMore) return position;
  }
}

/** The changes a reader with the default settle window gets after `position`. */
async function changesAfter(position: LogPosition, reader = stack.events) {
  const page = await reader.changes(position, 200);
  return {
    entries: page.slots.flatMap((slot) => (slot.entry ? [slot.entry] : [])),
    hasMore: page.hasMore,
  };
}

const summary = (entries: ChangeEntry[]) =>
  entries.map((entry) => [entry.type, entry.eventId, entry.version]);

/** Writes only the event item, as a writer that stopped right after it would have left it. */
async function writeEventItemOnly(item: ReturnType<typeof buildEventItem>) {
  await stack.table.client.send(new PutCommand({ TableName: stack.table.name, Item: item }));
}

/** A created event as a writer builds it, numbered `seq` (none: written before the log existed). */
function createdItem(tag: string, seq?: number) {
  const at = new Date().toISOString();
  const event = materialiseEvent(alertEventInput({ tags: [tag] }), {
    id: `01KREPA1R${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}0000000`.slice(0, 26),
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  const change: PendingChange = { type: 'event.created', version: 1, at, ...(seq ? { seq } : {}) };
  return { event, change, item: buildEventItem(event, change) };
}

describe('the change log after a writer stopped', () => {
  it('seals a number taken by a writer that stopped before writing, once the settle window has passed', async () => {
    const start = await endOfLog();
    const abandoned = await log.allocate();
    const { event } = await stack.events.create(alertEventInput({ tags: ['after-abandoned'] }));

    expect(await changesAfter(start)).toEqual({ entries: [], hasMore: false });
    const settled = await changesAfter(start, patient);

    expect(summary(settled.entries)).toEqual([['created', event.id, 1]]);
    expect(await log.slot(abandoned)).toEqual({ seq: abandoned, loggedAt: expect.any(String) });
  });

  it('logs again, under a new number, the change of a slow writer whose number was sealed', async () => {
    const start = await endOfLog();
    const slow = createdItem('slow-writer', await log.allocate());
    const { event: other } = await stack.events.create(alertEventInput({ tags: ['overtook'] }));
    await patient.changes(start, 200); // seals the slow writer's number
    await writeEventItemOnly(slow.item);

    await log.record(slow.item, slow.change);

    const { entries } = await changesAfter(start);
    expect(summary(entries)).toEqual([
      ['created', other.id, 1],
      ['created', slow.event.id, 1],
    ]);
    expect(entries[1]!.event).toEqual(slow.event);
  });

  it('is completed by fan-out when the writer stopped after its event item, before logging', async () => {
    const start = await endOfLog();
    const stopped = createdItem('stopped-before-logging', await log.allocate());
    await writeEventItemOnly(stopped.item);
    expect(await changesAfter(start)).toEqual({ entries: [], hasMore: false });

    await fanOutEvent(stack.fanout, stopped.event.id);

    const { entries } = await changesAfter(start);
    expect(summary(entries)).toEqual([['created', stopped.event.id, 1]]);
    expect(entries[0]!.event).toEqual(stopped.event);
  });

  it("logs an event's unlogged change before its next one, even when its number was sealed", async () => {
    const start = await endOfLog();
    const seq = await log.allocate();
    const stopped = createdItem('then-updated', seq);
    await writeEventItemOnly(stopped.item);
    await log.seal(seq);

    const next = await stack.events.update(stopped.event.id, 1, (input) => ({ ...input, title: 'next' }));

    const { entries } = await changesAfter(start);
    expect(summary(entries)).toEqual([
      ['created', stopped.event.id, 1],
      ['updated', stopped.event.id, 2],
    ]);
    expect(entries[0]!.event).toEqual(stopped.event);
    expect(entries[1]!.event).toEqual(next);
  });

  it('logs, through fan-out, a change pending from before the log existed', async () => {
    const start = await endOfLog();
    const { event } = await stack.events.create(alertEventInput({ tags: ['pre-log-before'] }));
    await fanOutEvent(stack.fanout, event.id);
    const nextInput = { ...inputOf(event), tags: ['pre-log-after'] };
    const at = new Date().toISOString();
    const next = materialiseEvent(nextInput, {
      id: event.id,
      createdAt: event.createdAt,
      updatedAt: at,
      version: 2,
    });
    const previous = changedFields(inputOf(event), nextInput);
    await writeEventItemOnly(buildEventItem(next, { type: 'event.updated', version: 2, at, previous }));

    await fanOutEvent(stack.fanout, event.id);

    const { entries } = await changesAfter(start);
    expect(summary(entries)).toEqual([
      ['created', event.id, 1],
      ['updated', event.id, 2],
    ]);
    expect(entries[1]!.event).toEqual(next);
  });

  it('seals the number of a refused write at once, so readers do not wait for it', async () => {
    let raced = false;
    for (let attempt = 0; attempt < 10 && !raced; attempt++) {
      const { event } = await stack.events.create(alertEventInput({ tags: ['refused'] }));
      const start = await endOfLog();
      const headBefore = await log.head();
      const outcomes = await Promise.allSettled(
        ['first', 'second'].map((title) =>
          stack.events.update(event.id, 1, (input) => ({ ...input, title })),
        ),
      );
      // Both read version 1 and took a number before one of them wrote: a race, which the log must absorb.
      raced =
        (await log.head()) - headBefore === 2 && outcomes.some((outcome) => outcome.status === 'rejected');
      if (!raced) continue;

      const { entries, hasMore } = await changesAfter(start);
      expect(hasMore).toBe(false);
      expect(summary(entries)).toEqual([['updated', event.id, 2]]);
    }
    expect(raced).toBe(true);
  });

  it('reads a position that the log does not hold as gone', async () => {
    await expect(readChangePage(stack.table, { seq: 10_000_000, tag: '-' }, 10)).rejects.toThrow(
      /sync again from the start/,
    );
  });
});
