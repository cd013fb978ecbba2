import type { Table } from '../../shared/store/dynamo.ts';

const isWrite = (name: string) => /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(name);

const batchSize = (requestItems: Record<string, unknown[] | { Keys: unknown[] }> | undefined) =>
  Object.values(requestItems ?? {}).reduce<number>(
    (sum, requests) => sum + (Array.isArray(requests) ? requests.length : requests.Keys.length),
    0,
  );

/**
 * Counts the DynamoDB operations a table client sends, by command, with a middleware at the
 * `initialize` step of the client's stack (shared by the document client and the DynamoDB client
 * under it, so every repository's calls pass through it once, before any retry), and the items
 * they read and wrote.
 */
export function countOperations(table: Table) {
  const counts = new Map<string, number>();
  let itemsRead = 0;
  let itemsWritten = 0;
  let enabled = false;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!enabled) return next(args);
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const input = args.input as { RequestItems?: Record<string, unknown[] | { Keys: unknown[] }> };
      if (name === 'BatchWriteItem') itemsWritten += batchSize(input.RequestItems);
      else if (isWrite(name)) itemsWritten++;
      const result = await next(args);
      const output = result.output as {
        ScannedCount?: number;
        Count?: number;
        Item?: unknown;
        Responses?: Record<string, unknown[]>;
      };
      if (name === 'Query' || name === 'Scan') itemsRead += output.ScannedCount ?? output.Count ?? 0;
      else if (name === 'GetItem') itemsRead += output.Item ? 1 : 0;
      else if (name === 'BatchGetItem')
        itemsRead += Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0);
      return result;
    },
    { step: 'initialize', name: 'benchOperationCounter', override: true },
  );
  return {
    start() {
      counts.clear();
      itemsRead = 0;
      itemsWritten = 0;
      enabled = true;
    },
    stop() {
      enabled = false;
    },
    summary() {
      let reads = 0;
      let writes = 0;
      for (const [name, count] of counts) {
        if (isWrite(name)) writes += count;
        else reads += count;
      }
      return {
        /** Requests. */
        reads,
        writes,
        /** Items the requests read (found or scanned) and wrote; a batch counts each of its items. */
        itemsRead,
        itemsWritten,
        byCommand: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
      };
    },
  };
}
