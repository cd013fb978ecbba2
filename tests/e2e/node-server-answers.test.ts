import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalConfig } from '../../shared/local/config.ts';
import { type LocalRuntime, startLocalRuntime } from '../../shared/local/runtime.ts';
import { silentLogger } from '../support/test-app.ts';

// The local runtime's real node server: what Node's parser refuses before the app is still
// answered as problem+json; 405, OPTIONS and CORS preflights are answered as on AWS.

let runtime: LocalRuntime;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dateline-node-server-'));
  runtime = await startLocalRuntime(
    readLocalConfig({ PORT: '0', HOST: '127.0.0.1', DATELINE_DATA_DIR: dataDir, DATELINE_SEED: '0' }),
    silentLogger,
  );
}, 30_000);

afterAll(async () => {
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Sends raw bytes and reads everything until the server closes the connection. */
function sendRaw(
  request: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(runtime.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(request);
  });
}

describe('what Node refuses before the app', () => {
  it.each([
    [
      'headers over the size Node accepts',
      `GET /v1/events HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'Request Header Fields Too Large',
    ],
    [
      'a malformed request line',
      'GET /v1/events HTTP/1.1 extra\r\nHost: localhost\r\n\r\n',
      400,
      'Bad Request',
    ],
    [
      'an unknown method',
      'FROBNICATE /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n',
      501,
      'Not Implemented',
    ],
  ])('answers %s with problem+json and closes', async (_name, request, status, title) => {
    const response = await sendRaw(request);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers.connection).toBe('close');
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    expect(JSON.parse(response.body)).toMatchObject({ status, title });
  });

  it('keeps serving after them', async () => {
    expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200);
  });
});

describe('the app answers through the node server', () => {
  it('answers an unknown method on a known path with 405 and Allow', async () => {
    const response = await fetch(`${runtime.url}/v1/events`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers a CORS preflight as the stack with no corsOrigins does', async () => {
    const response = await fetch(`${runtime.url}/v1/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,HEAD,OPTIONS');
  });

  it('gives a cross-origin read of the timeline its CORS headers', async () => {
    const response = await fetch(`${runtime.url}/v1/events`, { headers: { origin: 'https://example.org' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('etag,last-modified,link,retry-after');
  });
});

describe('an answer given before the body was read', () => {
  const twoMegabytes = 'x'.repeat(2 * 1024 * 1024);

  it('closes the connection, so the next request on the pool does not fail', async () => {
    // Node's fetch keeps one pool per origin: the GET right after each 413 goes out on whatever
    // connection the pool holds. Before the fix, every second POST met "other side closed".
    for (let round = 0; round < 3; round += 1) {
      const post = await fetch(`${runtime.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime.adminKey}` },
        body: twoMegabytes,
      });
      expect(post.status).toBe(413);
      expect(post.headers.get('connection')).toBe('close');
      expect(post.headers.get('content-type')).toBe('application/problem+json');
      await post.text();
      const get = await fetch(`${runtime.url}/v1/events?limit=1`);
      expect(get.status).toBe(200);
      await get.text();
    }
  });

  it('keeps the connection of a request whose body was read', async () => {
    const response = await fetch(`${runtime.url}/v1/events?limit=1`);
    await response.text();
    expect(response.headers.get('connection')).toBe('keep-alive');
  });
});
