import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { seedEvents } from '../../shared/seed/load-seed.ts';
import { eventInput, ICARO_PHOTO_URL } from '../fixtures/events.ts';
import { spawnCaptured } from '../support/captured-process.ts';

/**
 * The local runtime started as a user starts it (`node --import tsx shared/local/main.ts`, which is
 * what `npm start` runs), on a fresh data dir and PORT=0, driven over HTTP.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long a start or a stop may take before the test gives up waiting (not a timing assertion). */
const WAIT_MS = 30_000;

interface Running {
  child: ChildProcess;
  url: string;
  adminKey: string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
let dataDir: string;

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATELINE_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  for (const name of [
    'DATELINE_ADMIN_KEY',
    'DATELINE_SEED',
    'DATELINE_PUBLIC_URL',
    'SMTP_URL',
    'TABLE_NAME',
  ]) {
    delete env[name];
  }
  return env;
}

/** Spawns a TypeScript entry point with tsx and collects what it prints. */
function run(script: string, args: string[] = []) {
  const spawned = spawnCaptured(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: environment(),
  });
  children.add(spawned.child);
  void spawned.exit.then(() => children.delete(spawned.child));
  return spawned;
}

async function startRuntime(): Promise<Running> {
  const process = run('shared/local/main.ts');
  let exited = false;
  void process.exit.then(() => {
    exited = true;
  });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const url = /Dateline is running at (\S+)/.exec(process.stdout())?.[1];
    const printed = /Admin key[^:\n]*: (dl_\S+)/.exec(process.stdout())?.[1];
    if (url && printed) {
      // Only the start that creates the admin key prints it in full; later ones print its id.
      const adminKey = printed.endsWith('…')
        ? (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim()
        : printed;
      return { child: process.child, url, adminKey, stdout: process.stdout, exit: process.exit };
    }
    if (exited || Date.now() > deadline) {
      process.child.kill('SIGKILL');
      throw new Error(`the local runtime did not start:\n${process.stdout()}\n${process.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends SIGTERM and waits for the exit (SIGKILL after WAIT_MS, so a hung process cannot outlive the test). */
async function stopRuntime(running: Running) {
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), WAIT_MS);
  const result = await running.exit;
  clearTimeout(timer);
  return result;
}

async function api(
  base: string,
  path: string,
  options: { method?: string; key?: string; body?: unknown } = {},
) {
  return fetch(`${base}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

async function listEvents(base: string): Promise<TimelineEvent[]> {
  const response = await api(base, '/v1/events?limit=200');
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: TimelineEvent[] }).items;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-e2e-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the local runtime (npm start)', () => {
  let first: Running;
  let second: Running;
  let created: TimelineEvent;

  describe('first start on an empty data dir', () => {
    beforeAll(async () => {
      first = await startRuntime();
    }, 60_000);

    it('prints the URL it listens on, with the real port', () => {
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.url).not.toMatch(/:0$/);
    });

    it('prints the admin key it created in full, says it was created now and where it is kept', () => {
      expect(first.stdout()).toContain(
        `Admin key (created now, kept in ${join(dataDir, 'admin-key')}): ${first.adminKey}`,
      );
    });

    it('says it loaded the six seed events', () => {
      expect(first.stdout()).toContain('(loaded 6 seed events)');
    });

    it('answers /healthz', async () => {
      expect((await api(first.url, '/healthz')).status).toBe(200);
    });

    it('lists the six seed events, each with its ICARO source', async () => {
      const events = await listEvents(first.url);
      expect(events.map((event) => event.title).sort()).toEqual(
        seedEvents.map((event) => event.title).sort(),
      );
      for (const event of events)
        expect(event.sources.map((source) => source.url)).toContain(ICARO_PHOTO_URL);
    });

    it('creates an event with the printed admin key, with a Location on the real port', async () => {
      const response = await api(first.url, '/v1/events', {
        method: 'POST',
        key: first.adminKey,
        body: eventInput({ title: 'Created in the end-to-end test' }),
      });
      expect(response.status).toBe(201);
      created = (await response.json()) as TimelineEvent;
      const location = new URL(response.headers.get('location')!);
      expect(location.port).toBe(new URL(first.url).port);
      expect(location.pathname).toBe(`/v1/events/${created.id}`);
      expect((await api(first.url, location.pathname)).status).toBe(200);
    });

    it('refuses a bogus key with 401', async () => {
      const response = await api(first.url, '/v1/events', {
        method: 'POST',
        key: `dl_000000000000_${'x'.repeat(43)}`,
        body: eventInput(),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    });

    it('exits with status 0 on SIGTERM', async () => {
      expect(await stopRuntime(first)).toEqual({ code: 0, signal: null });
    });

    it('forgets that it was running once stopped', () => {
      expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    });
  });

  describe('second start on the same data dir', () => {
    beforeAll(async () => {
      second = await startRuntime();
    }, 60_000);

    afterAll(async () => {
      if (second && second.child.exitCode === null) await stopRuntime(second);
    });

    it('keeps the admin key and does not create another', () => {
      expect(second.adminKey).toBe(first.adminKey);
      expect(second.stdout()).not.toContain('created now');
    });

    it('prints the admin key only masked (its id), and where the full key is', () => {
      expect(second.stdout()).toContain(
        `Admin key: ${first.adminKey.slice(0, 16)}…  (the full key is in ${join(dataDir, 'admin-key')})`,
      );
      expect(second.stdout()).not.toContain(first.adminKey);
    });

    it('does not load the seed again', () => {
      expect(second.stdout()).not.toContain('seed events');
    });

    it('still has the seed and the created event: seven events, not thirteen', async () => {
      const events = await listEvents(second.url);
      expect(events).toHaveLength(7);
      expect(events.map((event) => event.id)).toContain(created.id);
    });

    it('still accepts the admin key', async () => {
      const response = await api(second.url, '/v1/keys', {
        method: 'POST',
        key: second.adminKey,
        body: { scopes: ['events:write'] },
      });
      expect(response.status).toBe(201);
    });

    describe('npm run keys -- create --scopes events:write, while it runs', () => {
      let key: string;
      let cliStderr: string;

      beforeAll(async () => {
        const cli = run('shared/local/keys-cli.ts', ['create', '--scopes', 'events:write']);
        const timer = setTimeout(() => cli.child.kill('SIGKILL'), WAIT_MS);
        const result = await cli.exit;
        clearTimeout(timer);
        expect(result, cli.stderr()).toEqual({ code: 0, signal: null });
        key = cli.stdout().trim();
        cliStderr = cli.stderr();
      }, 60_000);

      it('prints one key', () => {
        expect(key).toMatch(/^dl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      });

      it('says it went through the running server', () => {
        expect(cliStderr).toContain(`in the server running at ${second.url} (data dir ${dataDir})`);
      });

      it('prints a key that can create events', async () => {
        const response = await api(second.url, '/v1/events', {
          method: 'POST',
          key,
          body: eventInput({ title: 'Created with a key from the CLI' }),
        });
        expect(response.status).toBe(201);
      });

      it('prints a key without the admin scope', async () => {
        const response = await api(second.url, '/v1/keys', {
          method: 'POST',
          key,
          body: { scopes: ['admin'] },
        });
        expect(response.status).toBe(403);
      });
    });

    it('exits with status 0 on SIGTERM', async () => {
      expect(await stopRuntime(second)).toEqual({ code: 0, signal: null });
    });
  });
});
