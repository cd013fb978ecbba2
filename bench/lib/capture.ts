import type { Table } from '../../shared/store/dynamo.ts';

/**
 * A table whose client records the items a repository puts instead of sending them, so the bulk
 * loaders write exactly the items EventRepository.create / SubscriptionRepository.create would
 * (whatever the data model is today) without a round trip per item.
 */
export function capturingTable(name: string): { table: Table; items: Record<string, unknown>[] } {
  const items: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input?: { Item?: Record<string, unknown> } }) => {
      if (command.input?.Item) items.push(command.input.Item);
      return {};
    },
  };
  return { table: { client, name } as unknown as Table, items };
}
