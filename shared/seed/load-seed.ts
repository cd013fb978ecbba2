import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventInput } from '../domain/event.ts';
import type { EventService } from '../events/event-service.ts';
import type { Table } from '../store/dynamo.ts';
import { metaKey } from '../store/keys.ts';
import seed from './timeline.json' with { type: 'json' };

export const seedEvents = seed.events as EventInput[];

/**
 * Loads the seed timeline once per store. Each event is created under its own idempotency key,
 * so a start interrupted halfway finishes the job next time without duplicates.
 */
export async function loadSeedOnce(table: Table, events: EventService): Promise<number> {
  const marker = await table.client.send(new GetCommand({ TableName: table.name, Key: metaKey('seed') }));
  if (marker.Item) return 0;
  for (const [index, input] of seedEvents.entries()) {
    await events.create(input, { scope: 'seed', key: `seed-${index}` });
  }
  await table.client.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...metaKey('seed'), loadedAt: new Date().toISOString() },
    }),
  );
  return seedEvents.length;
}
