import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RuntimeProcess {
  /** From the line "Dateline is running at …". */
  url: string;
  /** From the line "Admin key…: …" (when it shows the key masked: DATELINE_ADMIN_KEY or the data dir's file). */
  adminKey: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** SIGTERM (a graceful stop), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once: a crash, no shutdown code runs. */
  crash(): Promise<void>;
}

/** Starts the local runtime as a user does (`npx tsx shared/local/main.ts`) and waits until it prints its URL. */
export async function startRuntimeProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RuntimeProcess> {
  // Its own process group, so npx, tsx and the node process running main.ts are signalled together.
  const child: ChildProcess = spawn('npx', ['tsx', 'shared/local/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  /** Waits until every process of the group is gone; false after `ms`. */
  const waitGone = async (ms: number) => {
    const until = Date.now() + ms;
    while (groupAlive()) {
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await exited;
    return true;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /Dateline is running at (\S+)/.exec(output)?.[1];
    const printed = /Admin key[^:]*: (dl_\S+)/.exec(output)?.[1];
    if (url && printed) {
      // Only the start that creates the admin key prints it in full.
      const adminKey = printed.endsWith('…')
        ? (env.DATELINE_ADMIN_KEY ??
          readFileSync(
            join(resolve(REPO_ROOT, env.DATELINE_DATA_DIR ?? '.data'), 'admin-key'),
            'utf8',
          ).trim())
        : printed;
      return {
        url,
        adminKey,
        output: () => output,
        async stop(graceMs = 10_000) {
          signal('SIGTERM');
          if (await waitGone(graceMs)) return;
          signal('SIGKILL');
          await waitGone(5_000);
        },
        async crash() {
          signal('SIGKILL');
          await waitGone(5_000);
        },
      };
    }
    if (hasExited || Date.now() > deadline) {
      signal('SIGKILL');
      throw new Error(`the local runtime did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
