import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiClient } from '../lib/local.ts';
import { startReceiver } from '../lib/receiver.ts';
import { Checks, eventBody, eventually, type Scenario } from './harness.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `npx tsx shared/local/main.ts` in its own process group; resolves once it serves. */
async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn('npx', ['tsx', 'shared/local/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const ready = await eventually(
    () => output.includes('Dateline is running at') || child.exitCode !== null,
    60_000,
    100,
  );
  if (!ready || child.exitCode !== null) {
    killGroup(child);
    throw new Error(`the server did not start: ${output.slice(-800)}`);
  }
  return { child, output: () => output };
}

/** SIGKILL for the whole group this suite started (npx, tsx and the node process serving). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/**
 * The local runtime as a child process: subscribe a webhook, SIGKILL the server during a burst of
 * creates, restart it on the same data dir. Every event that was answered 201 must be there, and
 * its alert must be delivered.
 */
export const crashScenario: Scenario = {
  name: 'crash: SIGKILL during a burst of creates, restart',
  timeoutMs: 240_000,
  async run() {
    const checks = new Checks();
    const dataDir = await mkdtemp(join(tmpdir(), 'dateline-crash-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATELINE_DATA_DIR: dataDir,
      DATELINE_ALLOW_LOOPBACK_WEBHOOKS: '1',
      DATELINE_RETRY_SCHEDULE: '0,1,1',
      DATELINE_SEED: '0',
      LOG_LEVEL: 'warn',
    };
    const receiver = await startReceiver();
    let server = await startServer(env);
    try {
      const url = `http://127.0.0.1:${port}`;
      const adminKey = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
      const api = apiClient(url, adminKey);
      const subscribed = await api<{ secret: string }>('POST', '/v1/subscriptions', {
        channel: 'webhook',
        url: receiver.url,
      });
      if (!checks.check(subscribed.status === 201, `subscribe answered ${subscribed.status}`))
        return checks.result('');
      receiver.setSecrets([subscribed.body.secret]);

      // The burst: 10 creates in flight; the server is killed once 60 were answered.
      const answered: string[] = [];
      let attempted = 0;
      let refused = 0;
      let stop = false;
      const lane = async () => {
        while (!stop && attempted < 1000) {
          const n = attempted++;
          try {
            const response = await api<{ id: string }>('POST', '/v1/events', eventBody(n));
            if (response.status === 201) answered.push(response.body.id);
            else refused++;
          } catch {
            // the connection died with the server: this create was never answered
          }
          if (answered.length >= 60 && !stop) {
            stop = true;
            killGroup(server.child);
          }
        }
      };
      await Promise.all(Array.from({ length: 10 }, lane));
      await exited(server.child);
      const beforeRestart = receiver.delivered.size;

      server = await startServer(env);
      const missing: string[] = [];
      for (const id of answered) {
        const response = await api('GET', `/v1/events/${id}`);
        if (response.status !== 200) missing.push(`${id} (${response.status})`);
      }
      checks.check(
        missing.length === 0,
        `${missing.length} events answered 201 are gone: ${missing.slice(0, 3).join(', ')}`,
      );
      checks.check(refused === 0, `${refused} creates were refused before the kill`);
      const alerted = () =>
        answered.filter(
          (id) =>
            receiver.idsByEvent.has(id) &&
            [...receiver.idsByEvent.get(id)!].some((d) => receiver.delivered.has(d)),
        );
      const allDelivered = await eventually(() => alerted().length === answered.length, 60_000, 250);
      checks.check(
        allDelivered,
        `${answered.length - alerted().length} of ${answered.length} answered events never alerted`,
      );
      checks.check(receiver.invalid === 0, `${receiver.invalid} deliveries with a bad signature`);
      return checks.result(
        `${answered.length} creates answered before SIGKILL (${attempted} sent); all there after restart: ${missing.length === 0}; alerts delivered ${alerted().length}/${answered.length} (${beforeRestart} before the kill)`,
      );
    } finally {
      killGroup(server.child);
      await exited(server.child);
      await receiver.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
