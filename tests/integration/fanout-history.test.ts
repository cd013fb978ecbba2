import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import type { AlertPayload } from '../../shared/domain/delivery.ts';
import { type AlertStack, alertEventInput, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('fan-out of several changes waiting together', () => {
  it('gives each alert the event as its own change left it', async () => {
    const tag = 'history-1';
    const { subscription } = await stack.service.subscribeWebhook({
      url: 'https://hooks.example.org/dateline',
      filter: { kinds: [], actors: [], tags: [tag] },
      types: ['event.created', 'event.updated'],
    });
    const { event } = await stack.events.create(
      alertEventInput({ tags: [tag], title: 'First title', date: '2024-06' }),
    );
    await stack.events.update(event.id, 1, (input) => ({
      ...input,
      title: 'Second title',
      date: '2024-06-19',
    }));

    await fanOutEvent(stack.fanout, event.id);

    const { deliveries } = await stack.deliveries.list(subscription.id, 10);
    const byType = new Map(deliveries.map((d) => [d.kind, JSON.parse(d.body) as AlertPayload]));
    expect(byType.get('event.created')?.data.event).toMatchObject({
      title: 'First title',
      date: '2024-06',
      precision: 'month',
      version: 1,
    });
    expect(byType.get('event.updated')?.data.event).toMatchObject({
      title: 'Second title',
      date: '2024-06-19',
      precision: 'day',
      version: 2,
    });
    expect(byType.get('event.updated')?.data.previous).toEqual({ title: 'First title', date: '2024-06' });
  });
});
