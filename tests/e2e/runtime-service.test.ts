import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapturedProcess, spawnCaptured } from '../support/captured-process.ts';

/**
 * The local runtime behaves like a service: `npm start` stops on SIGTERM to npm, what the user can
 * fix (a busy port, a data dir in use, a malformed DATELINE_ADMIN_KEY) is one line and exit 1, the
 * keys CLI does not invent a data dir and says where it wrote, and the data dir is owner-only.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long a start or a stop may take before the test gives up waiting (not a timing assertion). */
const WAIT_MS = 30_000;

type Spawned = CapturedProcess;

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dateline-service-'));
  tempDirs.push(dir);
  return dir;
}

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'warn', DATELINE_SEED: '0' };
  for (const name of [
    'DATELINE_ADMIN_KEY',
    'DATELINE_PUBLIC_URL',
    'SMTP_URL',
    'TABLE_NAME',
    'DATELINE_DATA_DIR',
  ])
    delete env[name];
  return { ...env, ...extra };
}

/** Spawns a command in its own process group (so the whole tree can be checked and cleaned up). */
function spawnGroup(command: string, args: string[], env: Record<string, string>): Spawned {
  const spawned = spawnCaptured(command, args, { cwd: REPO_ROOT, env: environment(env), detached: true });
  children.add(spawned.child);
  return spawned;
}

const runTs = (script: string, args: string[], env: Record<string, string>) =>
  spawnGroup(process.execPath, ['--import', 'tsx', script, ...args], env);

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess) {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {}
}

async function waitFor(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function waitForStart(spawned: Spawned): Promise<{ url: string }> {
  let exited = false;
  void spawned.exit.then(() => {
    exited = true;
  });
  const started = await waitFor(() => exited || /Dateline is running at \S+/.test(spawned.stdout()), WAIT_MS);
  const url = /Dateline is running at (\S+)/.exec(spawned.stdout())?.[1];
  if (!started || !url) {
    killGroup(spawned.child);
    throw new Error(`the local runtime did not start:\n${spawned.stdout()}\n${spawned.stderr()}`);
  }
  return { url };
}

/** Waits for the exit (SIGKILL to the group after WAIT_MS, so a hung process cannot outlive the test). */
async function exitOf(spawned: Spawned) {
  const timer = setTimeout(() => killGroup(spawned.child), WAIT_MS);
  const result = await spawned.exit;
  clearTimeout(timer);
  return result;
}

const answers = (url: string) =>
  fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );

/** A refusal the user can act on: exit 1, exactly one line on stderr, no stack trace. */
function expectOneLineRefusal(result: { code: number | null }, stderr: string, pattern: RegExp) {
  expect(result.code, stderr).toBe(1);
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** Every entry under `dir` with its permission bits, `dir` included. */
async function modes(dir: string): Promise<{ path: string; directory: boolean; mode: number }[]> {
  const stats = await lstat(dir);
  const here = { path: dir, directory: stats.isDirectory(), mode: stats.mode & 0o777 };
  if (!stats.isDirectory()) return [here];
  const below = await Promise.all((await readdir(dir)).map((name) => modes(join(dir, name))));
  return [here, ...below.flat()];
}

function expectOwnerOnly(entries: { path: string; directory: boolean; mode: number }[]) {
  for (const entry of entries)
    expect({ path: entry.path, mode: entry.mode.toString(8) }).toEqual({
      path: entry.path,
      mode: entry.directory ? '700' : '600',
    });
}

afterAll(async () => {
  for (const child of children) killGroup(child);
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start on a fresh data dir', () => {
  let dataDir: string;
  let npm: Spawned;
  let url: string;

  beforeAll(async () => {
    dataDir = join(await tempDir(), 'data');
    npm = spawnGroup('npm', ['start'], { DATELINE_DATA_DIR: dataDir });
    ({ url } = await waitForStart(npm));
  }, 60_000);

  it('keeps the data dir owner-only: folders 0700, files 0600, the outbox included', async () => {
    // An email subscription writes its confirmation mail into the outbox.
    const response = await fetch(`${url}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'email', address: 'reader@example.net', filter: { actors: ['KP'] } }),
    });
    expect(response.status).toBe(202);
    const outbox = join(dataDir, 'outbox');
    expect(
      await waitFor(
        async () => (await readdir(outbox).catch(() => [])).some((name) => name.endsWith('.eml')),
        10_000,
      ),
    ).toBe(true);

    const entries = await modes(dataDir);
    for (const name of ['dynamodb', 'outbox', 'admin-key', 'token-key', 'runtime.json'])
      expect(entries.map((entry) => entry.path)).toContain(join(dataDir, name));
    expectOwnerOnly(entries);
  });

  it('refuses a second runtime on the same data dir: one line naming it and the holder, exit 1', async () => {
    const second = runTs('shared/local/main.ts', [], { DATELINE_DATA_DIR: dataDir });
    const result = await exitOf(second);
    expect(second.stdout()).not.toContain('Dateline is running');
    expectOneLineRefusal(
      result,
      second.stderr(),
      /^Dateline cannot start: the data dir \S+ is in use by another process \(pid \d+, serving http:\/\/\S+\): stop it, or set DATELINE_DATA_DIR to another folder$/,
    );
    expect(second.stderr()).toContain(dataDir);
    expect(await answers(url)).toBe(true);
  }, 60_000);

  it('refuses a busy port: one line naming it, exit 1, and leaves the data dir alone', async () => {
    const port = new URL(url).port;
    const otherDir = join(await tempDir(), 'never-created');
    const second = runTs('shared/local/main.ts', [], { DATELINE_DATA_DIR: otherDir, PORT: port });
    const result = await exitOf(second);
    expectOneLineRefusal(
      result,
      second.stderr(),
      new RegExp(`^Dateline cannot start: port ${port} on 127\\.0\\.0\\.1 is in use by another process`),
    );
    expect(existsSync(otherDir)).toBe(false);
  }, 60_000);

  it('stops when npm gets SIGTERM: the port closes and no process of the tree is left', async () => {
    expect(await answers(url)).toBe(true);
    npm.child.kill('SIGTERM');
    expect(await waitFor(async () => !(await answers(url)), 10_000)).toBe(true);
    expect(await waitFor(() => !groupAlive(npm.child.pid!), 10_000)).toBe(true);
    // A clean stop, not a kill: the runtime forgot that it was running.
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
  }, 30_000);

  it('keys create with no server running writes to the data dir directly and says so', async () => {
    const cli = runTs('shared/local/keys-cli.ts', ['create', '--scopes', 'events:write'], {
      DATELINE_DATA_DIR: dataDir,
    });
    const result = await exitOf(cli);
    expect(result, cli.stderr()).toEqual({ code: 0, signal: null });
    expect(cli.stdout().trim()).toMatch(/^dl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(cli.stderr()).toContain(
      `in the data dir ${dataDir} (opened directly; no server was running on it)`,
    );
  }, 60_000);

  it('restores owner-only modes that a loose umask or an older version left', async () => {
    await chmod(dataDir, 0o755);
    await chmod(join(dataDir, 'dynamodb'), 0o755);
    await chmod(join(dataDir, 'admin-key'), 0o644);
    await chmod(join(dataDir, 'dynamodb', 'CURRENT'), 0o644);
    const again = runTs('shared/local/main.ts', [], { DATELINE_DATA_DIR: dataDir });
    await waitForStart(again);
    expectOwnerOnly(await modes(dataDir));
    again.child.kill('SIGTERM');
    expect(await exitOf(again)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('refusals before anything is touched', () => {
  it('refuses a malformed DATELINE_ADMIN_KEY in one line naming `npm run keys -- generate`, exit 1', async () => {
    const dataDir = join(await tempDir(), 'data');
    const started = runTs('shared/local/main.ts', [], {
      DATELINE_DATA_DIR: dataDir,
      DATELINE_ADMIN_KEY: 'dl_not-a-key-secret',
    });
    const result = await exitOf(started);
    expectOneLineRefusal(
      result,
      started.stderr(),
      /^Dateline cannot start: DATELINE_ADMIN_KEY is not a Dateline key .*`npm run keys -- generate`/,
    );
    expect(started.stderr()).not.toContain('dl_not-a-key-secret');
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  for (const via of ['DATELINE_DATA_DIR', '--data-dir'] as const) {
    it(`keys create with no server and no data dir (${via}) refuses and creates nothing`, async () => {
      const dataDir = join(await tempDir(), 'missing');
      const args = [
        'create',
        '--scopes',
        'events:write',
        ...(via === '--data-dir' ? ['--data-dir', dataDir] : []),
      ];
      const cli = runTs(
        'shared/local/keys-cli.ts',
        args,
        via === 'DATELINE_DATA_DIR' ? { DATELINE_DATA_DIR: dataDir } : {},
      );
      const result = await exitOf(cli);
      expect(cli.stdout()).toBe('');
      expectOneLineRefusal(
        result,
        cli.stderr(),
        /^keys: no Dateline data dir at \S+ and no server running on it, so the key was not created\..*DATELINE_DATA_DIR or --data-dir/,
      );
      expect(cli.stderr()).toContain(dataDir);
      expect(existsSync(dataDir)).toBe(false);
    }, 60_000);
  }
});
