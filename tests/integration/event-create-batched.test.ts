/**
 * The local runtime writes a created event's timeline items in batches (`batchCreates`), AWS one
 * conditional PutItem each. Both must leave the same items: every posting, coverage item and
 * change-index entry, so the timeline, its ranges and the feeds list the event either way — also
 * when an event has more items than one batch holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput, TimelineEvent } from '../../shared/domain/event.ts';
import { EventService } from '../../shared/events/event-service.ts';
import { batchGet } from '../../shared/store/dynamo.ts';
import { EventRepository } from '../../shared/store/event-repository.ts';
import { IdempotencyStore } from '../../shared/store/idempotency-store.ts';
import { timelineItemKeys } from '../../shared/store/timeline-items.ts';
import { eventInput, organisation, state, timelineFilter } from '../fixtures/events.ts';
import { startTestTable, type TestTable } from '../support/test-app.ts';

let store: TestTable;
let conditional: EventService;
let batched: EventService;

beforeAll(async () => {
  store = await startTestTable();
  const service = (batchCreates: boolean) =>
    new EventService({
      table: store.table,
      events: new EventRepository(store.table, { batchCreates }),
      idempotency: new IdempotencyStore(store.table),
    });
  conditional = service(false);
  batched = service(true);
});
afterAll(async () => {
  await store.close();
});

/** The event's items as stored, without what differs between two events of the same input. */
async function storedItems(event: TimelineEvent) {
  const keys = timelineItemKeys(event);
  const items = await batchGet<Record<string, unknown>>(store.table, keys);
  const anonymous = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll(event.id, '<id>')
        .replaceAll(event.createdAt, '<at>')
        .replaceAll(event.updatedAt, '<at>'),
    ) as Record<string, unknown>;
  return {
    expected: keys.length,
    items: items.map(anonymous).sort((a, b) => (`${a.pk}${a.sk}` < `${b.pk}${b.sk}` ? -1 : 1)),
  };
}

// An undated decade with six actors and four tags: 12 dimensions, each with coverage items too.
const wide: EventInput = eventInput({
  title: 'Talks on the arms embargo through the 2010s',
  date: '201X',
  actors: [
    state('RU'),
    state('UA'),
    state('KP'),
    state('US'),
    organisation('United Nations'),
    organisation('OSCE'),
  ],
  tags: ['sanctions', 'arms-embargo', 'diplomacy', 'un-security-council'],
});

describe('a created event’s timeline items', () => {
  it.each([
    ['a dated event', eventInput()],
    ['an event of more items than one batch holds', wide],
  ])('are the same written in batches as written one by one: %s', async (_, input) => {
    const one = (await conditional.create(input)).event;
    const two = (await batched.create(input)).event;
    const [byOne, byBatch] = [await storedItems(one), await storedItems(two)];
    expect(byBatch.items).toHaveLength(byBatch.expected);
    expect(byOne.items).toHaveLength(byOne.expected);
    expect(byBatch.items).toEqual(byOne.items);
  });

  it('list the batched event in the timeline, its ranges and the feeds', async () => {
    const created = (await batched.create({ ...wide, title: 'Batched and listed' })).event;
    const listed = async (filter: Parameters<typeof timelineFilter>[0]) =>
      (await batched.list({ ...timelineFilter(filter), limit: 200 })).items.map((event) => event.id);
    expect(await listed({ actors: ['osce'] })).toContain(created.id);
    expect(await listed({ tags: ['diplomacy'], from: '2015-03', to: '2015-03' })).toContain(created.id);
    const recent = await batched.recentChanges({ ...timelineFilter({ tags: ['arms-embargo'] }), limit: 5 });
    expect(recent.items.map((event) => event.id)[0]).toBe(created.id);
  });
});
