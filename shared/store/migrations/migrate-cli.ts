import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openLocalStore } from '../../local/local-store.ts';
import { createTable, type Table } from '../dynamo.ts';
import { backfillChangeIndex } from './backfill-change-index.ts';
import { backfillLogs } from './backfill-logs.ts';
import { migrateShardKeys } from './shard-keys.ts';

const USAGE = `Usage: npm run migrate:shards [-- --data-dir DIR] [--segment I/N] [--page-size N] [--start-key JSON]

Moves the items of a table written before the keys were sharded to the sharded keys (once, after
deploying the build that shards them; running it again changes nothing).
  - with TABLE_NAME (and AWS credentials; AWS_REGION, DYNAMODB_ENDPOINT optional): that table;
  - with --data-dir: the local runtime's store in DIR (stop Dateline on it first).
  --segment I/N     scan only segment I of N (run the others in parallel)
  --start-key JSON  resume after the key a stopped run logged last

Then (whole runs only, not with --segment or --start-key) it logs every event the change log does
not know yet, lists every subscription in the admin listing and gives every event its entries in the
feeds' change index (run it before turning writes on).`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      segment: { type: 'string' },
      'page-size': { type: 'string' },
      'start-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = {
    log: (line: string) => process.stderr.write(`migrate:shards: ${line}\n`),
    ...(values.segment ? { segment: parseSegment(values.segment) } : {}),
    ...(values['page-size'] ? { pageSize: parsePageSize(values['page-size']) } : {}),
    ...(values['start-key'] ? { startKey: parseStartKey(values['start-key']) } : {}),
  };
  const store = await openStore(values['data-dir']);
  try {
    const result = await migrateShardKeys(store.table, options);
    process.stdout.write(
      `Scanned ${result.scanned} items of ${store.table.name}; migrated to sharded keys: ${result.due} due ` +
        `deliveries, ${result.feed} feed events, ${result.subscriptionIndex} subscription index items.\n`,
    );
    if (!values.segment && !values['start-key']) {
      const backfill = await backfillLogs(store.table, {
        log: (line) => process.stderr.write(`migrate:shards: backfill: ${line}\n`),
      });
      process.stdout.write(
        `Backfilled ${backfill.events} events into the change log and ${backfill.subscriptions} subscriptions into the admin listing.\n`,
      );
      const indexed = await backfillChangeIndex(store.table, {
        log: (line) => process.stderr.write(`migrate:shards: change index: ${line}\n`),
      });
      process.stdout.write(
        `Indexed ${indexed.events} events for the feeds (${indexed.entries} change index entries).\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function openStore(dataDir: string | undefined): Promise<{ table: Table; close(): Promise<void> }> {
  if (dataDir !== undefined) {
    const dir = resolve(dataDir);
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new Error(`no data dir at ${dir}`);
    return openLocalStore(dir);
  }
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error('set TABLE_NAME (a deployed table) or pass --data-dir DIR (a local store)');
  const table = createTable({
    tableName,
    ...(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
    // A local endpoint (dynalite) takes any region; for AWS the SDK's own lookup applies.
    ...(process.env.AWS_REGION || process.env.DYNAMODB_ENDPOINT
      ? { region: process.env.AWS_REGION || 'local' }
      : {}),
  });
  return { table, close: async () => table.client.destroy() };
}

function parseSegment(text: string): { index: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index >= total)
    throw new Error(`--segment must be I/N with 0 <= I < N, got "${text}"`);
  return { index, total };
}

function parsePageSize(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`--page-size must be a positive integer, got "${text}"`);
  return size;
}

function parseStartKey(text: string): Record<string, unknown> {
  try {
    const key = JSON.parse(text) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {}
  throw new Error(`--start-key must be the JSON key a previous run logged, got "${text}"`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`migrate:shards: ${error.message}\n`);
    process.exit(1);
  },
);
