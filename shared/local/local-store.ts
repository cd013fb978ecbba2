import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureTable } from '../store/create-table.ts';
import { createTable, type Table } from '../store/dynamo.ts';
import { startDynalite } from './dynalite-server.ts';

const LOCAL_TABLE_NAME = 'dateline';

export interface LocalStore {
  table: Table;
  endpoint: string;
  close(): Promise<void>;
}

/** Opens the data dir's table on an embedded dynalite (one process at a time: LevelDB locks the folder). */
export async function openLocalStore(dataDir: string): Promise<LocalStore> {
  await mkdir(dataDir, { recursive: true });
  return openEmbeddedStore({ path: join(dataDir, 'dynamodb') }).catch((error: Error) => {
    throw new Error(`cannot open the store in ${dataDir} (is another Dateline using it?): ${error.message}`);
  });
}

/** The Dateline table on a fresh embedded dynalite: persisted under `path`, or in memory (tests, benchmarks). */
export async function openEmbeddedStore(
  options: { path?: string; tableName?: string } = {},
): Promise<LocalStore> {
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const dynamo = await startDynalite(options.path ? { path: options.path } : {});
  const table = createTable({ tableName, endpoint: dynamo.endpoint, region: 'local' });
  await ensureTable(table.client as never, tableName);
  return {
    table,
    endpoint: dynamo.endpoint,
    close: async () => {
      table.client.destroy();
      await dynamo.close();
    },
  };
}

interface RuntimeFile {
  pid: number;
  url: string;
}

const runtimeFile = (dataDir: string) => join(dataDir, 'runtime.json');

/** Records that a server runs on this data dir, so tools can talk to it instead of opening the store. */
export async function recordRunningServer(dataDir: string, url: string): Promise<() => Promise<void>> {
  await writeFile(runtimeFile(dataDir), JSON.stringify({ pid: process.pid, url } satisfies RuntimeFile));
  return () => rm(runtimeFile(dataDir), { force: true });
}

export async function readRunningServer(
  dataDir: string,
): Promise<{ url: string; adminKey: string } | undefined> {
  let info: RuntimeFile;
  try {
    info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeFile;
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  const adminKey =
    process.env.DATELINE_ADMIN_KEY || (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
  return { url: info.url, adminKey };
}
