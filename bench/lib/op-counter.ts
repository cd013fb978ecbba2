import type { Table } from '../../shared/store/dynamo.ts';

/**
 * Counts the DynamoDB operations a table client sends, by command, with a middleware at the
 * `initialize` step of the client's stack (shared by the document client and the DynamoDB client
 * under it, so every repository's calls pass through it once, before any retry).
 */
export function countOperations(table: Table) {
  const counts = new Map<string, number>();
  let enabled = false;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (enabled) {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchOperationCounter', override: true },
  );
  const isWrite = (name: string) => /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(name);
  return {
    start() {
      counts.clear();
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
      return { reads, writes, byCommand: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) };
    },
  };
}
