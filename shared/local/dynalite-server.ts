import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
/** dynalite's own LevelDB binding (whatever version it depends on). */
const requireFromDynalite = createRequire(require.resolve('dynalite'));

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: (error?: Error) => void): void;
  address(): AddressInfo | string | null;
}

/**
 * Starts dynalite (DynamoDB's wire API on LevelDB) on loopback. With `path` the data persists
 * there; without it the data lives in memory. One server per data path: LevelDB locks it.
 */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => DynaliteServer;
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) =>
    server.listen(options.port ?? 0, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
  );
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether another process holds the LevelDB store at `path` (LevelDB takes an OS lock on its LOCK
 * file, released when that process ends). dynalite opens its database lazily and throws an
 * uncaught error on the first request when it cannot, so the open is tried here first.
 * Opening creates the store when it is missing, as dynalite would.
 */
export async function probeLevelStore(
  path: string,
): Promise<{ ok: true } | { ok: false; locked: boolean; message: string }> {
  const { Level } = requireFromDynalite('level') as { Level: new (path: string) => LevelDatabase };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      locked: cause?.code === 'LEVEL_LOCKED',
      message: cause?.message ?? (error as Error).message,
    };
  }
  await db.close();
  return { ok: true };
}
