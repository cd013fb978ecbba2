import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { sendWebhook, WEBHOOK_USER_AGENT } from '../../shared/delivery/webhook-sender.ts';
import { generateWebhookSecret, signWebhook } from '../../shared/delivery/webhook-signature.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

const LOOPBACK = ['127.0.0.1'];
const BODY = JSON.stringify({ type: 'event.created', data: { id: 'evt_01', title: 'Ceasefire announced' } });
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Starts a real HTTP server on 127.0.0.1 and a random port; it is closed after the test. */
async function receiver(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, received };
}

describe('sendWebhook', () => {
  it('reports a 2xx as ok with status and latency', async () => {
    const { port } = await receiver((_req, res) => res.writeHead(204).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/hook`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: true, status: 204, gone: false });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('POSTs the body with JSON content type, the Dateline user agent and the given headers', async () => {
    const { port, received } = await receiver((_req, res) => res.writeHead(200).end('thanks'));
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/hooks/in?team=7`,
      headers: { 'webhook-id': 'msg_1', 'content-type': 'text/plain' },
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result.responseBody).toBe('thanks');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/hooks/in?team=7', body: BODY });
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'content-length': String(Buffer.byteLength(BODY)),
      'webhook-id': 'msg_1',
    });
    expect(WEBHOOK_USER_AGENT).toBe('Dateline-Webhooks/1');
  });

  it('reports a 500 as a failure that is not gone', async () => {
    const { port } = await receiver((_req, res) => res.writeHead(500).end('boom'));
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, status: 500, gone: false, responseBody: 'boom' });
  });

  it('reports 410 Gone so the subscription can be disabled', async () => {
    const { port } = await receiver((_req, res) => res.writeHead(410).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, status: 410, gone: true });
  });

  it('does not follow a redirect and reports it as a failure', async () => {
    const { port, received } = await receiver((req, res) => {
      if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(200).end();
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/hook`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, status: 302, error: 'redirect not followed' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.map((r) => r.url)).toEqual(['/hook']);
  });

  it('gives up with a timeout when the receiver does not answer in time', async () => {
    const { port } = await receiver(() => {
      // Never responds.
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
      timeoutMs: 150,
    });
    expect(result).toMatchObject({ ok: false, error: 'timeout', gone: false });
    expect(result.status).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(140);
    expect(result.latencyMs).toBeLessThan(2000);
  });

  it('keeps the status when the deadline passes while the body is still arriving', async () => {
    const { port } = await receiver((_req, res) => {
      res.writeHead(202);
      res.write('accepted, but still talking');
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
      timeoutMs: 150,
    });
    expect(result).toMatchObject({ ok: true, status: 202, responseBody: 'accepted, but still talking' });
  });

  it('reads at most maxResponseBytes of an endless response, then stops', async () => {
    const { port } = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          // Fill the socket until it pushes back.
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
      maxResponseBytes: 1000,
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.responseBody).toHaveLength(1000);
    expect(result.latencyMs).toBeLessThan(5000);
  });

  it('reports a connection reset by the receiver', async () => {
    const { port } = await receiver((req) => req.socket.resetAndDestroy());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, error: 'connection reset', gone: false });
    expect(result.status).toBeUndefined();
  });

  it('reports a refused connection without throwing', async () => {
    const { port } = await receiver(() => {});
    await cleanups.pop()?.();
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, error: 'connection refused', gone: false });
  });

  it('passes back Retry-After in seconds', async () => {
    const { port } = await receiver((_req, res) => res.writeHead(503, { 'retry-after': '120' }).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: false, status: 503, retryAfter: 120 });
  });

  it('converts a Retry-After date using the injected clock', async () => {
    const { port } = await receiver((_req, res) =>
      res.writeHead(429, { 'retry-after': 'Sun, 01 Mar 2026 12:10:00 GMT' }).end(),
    );
    const now = () => Date.parse('2026-03-01T12:00:00Z');
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
      now,
    });
    expect(result).toMatchObject({ ok: false, status: 429, retryAfter: 600 });
  });

  it('connects to the checked address, not to what the hostname resolves to now', async () => {
    const { port, received } = await receiver((_req, res) => res.writeHead(200).end());
    // The .invalid TLD never resolves, so success proves DNS was not consulted.
    const result = await sendWebhook({
      url: `http://hooks.dateline.invalid:${port}/hook`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(received[0]?.headers.host).toBe(`hooks.dateline.invalid:${port}`);
  });

  it('keeps the hostname for TLS SNI while connecting to the checked address', async () => {
    let clientHello: Buffer = Buffer.alloc(0);
    const server = createTcpServer((socket) => {
      socket.once('data', (data: Buffer) => {
        clientHello = data;
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    const result = await sendWebhook({
      url: `https://hooks.dateline.invalid:${port}/hook`,
      headers: {},
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result.ok).toBe(false);
    expect(result.error).toBeDefined();
    expect(clientHello.includes('hooks.dateline.invalid')).toBe(true);
  });

  it('refuses to connect to an IP literal that was not among the checked addresses', async () => {
    const { port, received } = await receiver((_req, res) => res.writeHead(200).end());
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: BODY,
      addresses: ['93.184.215.14'],
    });
    expect(result).toMatchObject({ ok: false, error: 'no checked address for host' });
    expect(received).toHaveLength(0);
  });

  it('matches an IPv6 literal to its checked address however either is spelled', async () => {
    const send = (addresses: string[]) =>
      sendWebhook({ url: 'http://[::1]:9/', headers: {}, body: BODY, addresses, timeoutMs: 2000 });
    // Matched: it goes on to connect (nothing listens there, so the send itself fails).
    expect((await send(['0:0:0:0:0:0:0:1'])).error).not.toBe('no checked address for host');
    expect(await send(['::2'])).toMatchObject({ ok: false, error: 'no checked address for host' });
    expect(await send(['127.0.0.1'])).toMatchObject({ ok: false, error: 'no checked address for host' });
  });

  it('refuses to send without any checked address', async () => {
    const result = await sendWebhook({
      url: 'http://hooks.dateline.invalid/',
      headers: {},
      body: BODY,
      addresses: [],
    });
    expect(result).toMatchObject({ ok: false, error: 'no checked address for host' });
  });

  it('delivers a signature the receiver can verify with the standardwebhooks package', async () => {
    const secret = generateWebhookSecret();
    const verified: unknown[] = [];
    const { port } = await receiver((req, res, body) => {
      try {
        verified.push(new Webhook(secret).verify(body, req.headers as Record<string, string>));
        res.writeHead(204).end();
      } catch {
        res.writeHead(401).end();
      }
    });
    const headers = signWebhook({ id: 'msg_01', timestamp: new Date(), body: BODY, secrets: [secret] });
    const result = await sendWebhook({
      url: `http://127.0.0.1:${port}/`,
      headers,
      body: BODY,
      addresses: LOOPBACK,
    });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(verified).toEqual([JSON.parse(BODY)]);
  });
});
