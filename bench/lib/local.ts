import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalConfig, readLocalConfig } from '../../shared/local/config.ts';
import { type LocalRuntime, startLocalRuntime } from '../../shared/local/runtime.ts';
import { createLogger } from '../../shared/platform/logger.ts';

/** The local runtime as `npm start` runs it, on a temporary data dir and a free loopback port. */
export async function startBenchRuntime(
  overrides: Partial<LocalConfig> = {},
  env: Record<string, string> = {},
): Promise<{ runtime: LocalRuntime; dataDir: string; config: LocalConfig; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dateline-bench-'));
  const config: LocalConfig = {
    ...readLocalConfig({
      PORT: '0',
      DATELINE_DATA_DIR: dataDir,
      DATELINE_ALLOW_LOOPBACK_WEBHOOKS: '1',
      DATELINE_SEED: '0',
      LOG_LEVEL: 'info',
      ...env,
    }),
    allowLoopbackWebhooks: true,
    seed: false,
    ...overrides,
  };
  // Lines are built as `npm start` builds them (info by default) but only errors are printed,
  // so the benchmark's output stays its own.
  const logger = createLogger({
    service: 'dateline-bench',
    level: config.logLevel,
    write: (line) => {
      if (line.startsWith('{"level":"error"')) process.stderr.write(`${line}\n`);
    },
  });
  const runtime = await startLocalRuntime(config, logger);
  return {
    runtime,
    dataDir,
    config,
    close: async () => {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small JSON client for the runtime's API. */
export function apiClient(baseUrl: string, key: string) {
  return async function api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
}
