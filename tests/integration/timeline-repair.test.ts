import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import { changedFields } from '../../shared/domain/event.ts';
import { inputOf, materialiseEvent } from '../../shared/events/event-service.ts';
import { buildEventItem } from '../../shared/store/event-repository.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Writes only the event item, as an API process that stopped right after it would have left it. */
async function writeEventItemOnly(item: ReturnType<typeof buildEventItem>) {
  await stack.table.client.send(new PutCommand({ TableName: stack.table.name, Item: item }));
}

const listIds = async (query: string) =>
  ((await (await stack.app.request(`/v1/events?${query}`)).json()) as { items: { id: string }[] }).items.map(
    (event) => event.id,
  );

describe('fan-out repairs the timeline a stopped writer left behind', () => {
  it('writes the timeline items of a created event that has none', async () => {
    const at = '2026-01-02T03:04:05.000Z';
    const event = materialiseEvent(alertEventInput({ tags: ['repair-created'] }), {
      id: '01KREPA1RC0000000000000000',
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
    await writeEventItemOnly(buildEventItem(event, { type: 'event.created', version: 1, at }));
    expect(await listIds('tag=repair-created')).toEqual([]);

    await fanOutEvent(stack.fanout, event.id);

    expect(await listIds('tag=repair-created')).toEqual([event.id]);
  });

  it('moves the timeline items of an update whose writer stopped after the event item', async () => {
    const { event } = await stack.events.create(alertEventInput({ tags: ['repair-before'] }));
    await fanOutEvent(stack.fanout, event.id);
    const nextInput = { ...inputOf(event), tags: ['repair-after'] };
    const at = new Date().toISOString();
    const next = materialiseEvent(nextInput, {
      id: event.id,
      createdAt: event.createdAt,
      updatedAt: at,
      version: 2,
    });
    const previous = changedFields(inputOf(event), nextInput);
    await writeEventItemOnly(buildEventItem(next, { type: 'event.updated', version: 2, at, previous }));
    expect(await listIds('tag=repair-before')).toEqual([event.id]);

    await fanOutEvent(stack.fanout, event.id);

    expect(await listIds('tag=repair-before')).toEqual([]);
    expect(await listIds('tag=repair-after')).toEqual([event.id]);
  });

  it('leaves complete timeline items alone (one batched read, no writes)', async () => {
    const { event } = await stack.events.create(alertEventInput({ tags: ['repair-none'] }));
    expect(await stack.eventRepository.timelineInSync(undefined, event)).toBe(true);
  });
});
