import { chmod, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureTable } from '../store/create-table.ts';
import { createTable, type Table } from '../store/dynamo.ts';
import { probeLevelStore, startDynalite } from './dynalite-server.ts';
import { StartupError } from './startup-error.ts';

const LOCAL_TABLE_NAME = 'dateline';

/** What the data dir holds is readable by its owner only, whatever the umask. */
export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** The entries of a data dir that Dateline writes (others, if any, are left as they are). */
const DATA_DIR_ENTRIES = ['dynamodb', 'outbox', 'admin-key', 'token-key', 'runtime.json'];

export interface LocalStore {
  table: Table;
  endpoint: string;
  close(): Promise<void>;
}

const storePath = (dataDir: string) => join(dataDir, 'dynamodb');

/** Whether the data dir holds a store already (without creating anything). */
export async function localStoreExists(dataDir: string): Promise<boolean> {
  return (await stat(storePath(dataDir)).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Creates the data dir if needed and restricts it to its owner: the folder and its subfolders 0700,
 * its files 0600, including what an earlier version or a looser umask left.
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    await chmod(dataDir, DATA_DIR_MODE);
    for (const name of DATA_DIR_ENTRIES) await restrict(join(dataDir, name));
  } catch (error) {
    throw new StartupError(`cannot use the data dir ${dataDir}: ${(error as Error).message}`);
  }
}

async function restrict(path: string): Promise<void> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stats || stats.isSymbolicLink()) return;
  const wanted = stats.isDirectory() ? DATA_DIR_MODE : DATA_FILE_MODE;
  if ((stats.mode & 0o777) !== wanted) await chmod(path, wanted);
  if (stats.isDirectory()) for (const entry of await readdir(path)) await restrict(join(path, entry));
}

/**
 * Opens the data dir's table on an embedded dynalite. One process at a time: LevelDB locks the
 * store, and a store held by another process is a StartupError that says which one when it can.
 */
export async function openLocalStore(dataDir: string): Promise<LocalStore> {
  await prepareDataDir(dataDir);
  const path = storePath(dataDir);
  const probe = await probeLevelStore(path);
  if (!probe.ok) {
    if (!probe.locked) throw new StartupError(`cannot open the store in ${path}: ${probe.message}`);
    const holder = await readRuntimeFile(dataDir);
    throw new StartupError(
      `the data dir ${dataDir} is in use by another process${holder ? ` (pid ${holder.pid}, serving ${holder.url})` : ''}: stop it, or set DATELINE_DATA_DIR to another folder`,
    );
  }
  await restrict(path);
  return openEmbeddedStore({ path }).catch((error: Error) => {
    throw new StartupError(`cannot open the store in ${path}: ${error.message}`);
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

/** The server recorded in the data dir, when its process is still alive. */
async function readRuntimeFile(dataDir: string): Promise<RuntimeFile | undefined> {
  try {
    const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as RuntimeFile;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

/** Records that a server runs on this data dir, so tools can talk to it instead of opening the store. */
export async function recordRunningServer(dataDir: string, url: string): Promise<() => Promise<void>> {
  const path = runtimeFile(dataDir);
  await writeFile(path, JSON.stringify({ pid: process.pid, url } satisfies RuntimeFile), {
    mode: DATA_FILE_MODE,
  });
  await chmod(path, DATA_FILE_MODE);
  return () => rm(path, { force: true });
}

export async function readRunningServer(
  dataDir: string,
): Promise<{ url: string; adminKey: string } | undefined> {
  const info = await readRuntimeFile(dataDir);
  if (!info) return undefined;
  const adminKey =
    process.env.DATELINE_ADMIN_KEY || (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
  return { url: info.url, adminKey };
}
