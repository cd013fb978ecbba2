import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ensureTable } from '../../shared/store/create-table.ts';
import { createTable, type Table } from '../../shared/store/dynamo.ts';
import { log } from './stats.ts';

/** An in-memory dynalite in a child process, with the Dateline table, and a fast bulk writer. */
export interface BenchDynamo {
  table: Table;
  endpoint: string;
  close(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./dynalite-child.ts', import.meta.url));

export async function startBenchDynamo(tableName = 'dateline-bench'): Promise<BenchDynamo> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dynalite child did not start in 30 s')), 30_000);
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(String(chunk).trim());
    });
  });
  const table = createTable({ tableName, endpoint, region: 'local' });
  await ensureTable(table.client as unknown as DynamoDBClient, tableName);
  return {
    table,
    endpoint,
    close: async () => {
      table.client.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Writes items with BatchWriteItem straight over HTTP: the same items and the same wire API as
 * the SDK's BatchWriteCommand (marshalled the way the document client marshals them), without
 * the SDK's per-request middleware, which would otherwise cost as much CPU as dynalite itself.
 * Retries unprocessed items. Stops early (returning how many items were written) past `deadline`.
 */
export async function bulkWrite(
  target: { endpoint: string; tableName: string },
  items: readonly Record<string, unknown>[],
  options: { concurrency?: number; deadline?: number; label?: string } = {},
): Promise<number> {
  const url = new URL(target.endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 12 });
  const post = (body: string) =>
    new Promise<{ UnprocessedItems?: Record<string, unknown[]> }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20250101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'x-amz-date': '20250101T000000Z',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200)
              reject(new Error(`BatchWriteItem ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  let written = 0;
  let lastLog = performance.now();
  const lane = async () => {
    while (next < items.length) {
      if (options.deadline !== undefined && performance.now() > options.deadline) return;
      const start = next;
      next += 25;
      let pending: unknown[] = items
        .slice(start, start + 25)
        .map((item) => ({ PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error('BatchWriteItem kept leaving items unprocessed');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        const result = await post(JSON.stringify({ RequestItems: { [target.tableName]: pending } }));
        pending = result.UnprocessedItems?.[target.tableName] ?? [];
      }
      written += Math.min(25, items.length - start);
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`${options.label ?? 'load'}: ${written}/${items.length} items`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 12 }, lane));
  } finally {
    agent.destroy();
  }
  return written;
}
