/**
 * Vitest global setup of `npm run test:aws`: starts moto (the Python AWS emulator) on a free
 * loopback port, hands its URL to the test files, and stops it by its PID when the run ends —
 * also when the runner itself exits early. Without moto the run fails here, saying so; it never skips.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

const STARTUP_MS = 30_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitUntilUp(endpoint: string, moto: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) break;
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `npm run test:aws needs moto 5 (the AWS emulator): \`python3 -m moto.server\` did not start.\n` +
      `Install it with the machine's Python (moto[server]); the output was:\n${output() || '(nothing)'}`,
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  moto.on('error', (error) => {
    output += `${error.message}\n`;
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  moto.stdout?.on('data', keep);
  moto.stderr?.on('data', keep);
  const stop = () => {
    if (moto.pid !== undefined && moto.exitCode === null) {
      try {
        process.kill(moto.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', stop);
  try {
    await waitUntilUp(endpoint, moto, () => output);
  } catch (error) {
    stop();
    throw error;
  }
  project.provide('motoEndpoint', endpoint);
  return async () => {
    stop();
    process.off('exit', stop);
  };
}
