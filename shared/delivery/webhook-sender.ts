/**
 * One webhook HTTP attempt. node:http(s) rather than fetch because the connection must go to an address
 * the SSRF guard already vetted: a custom `lookup` pins the socket to it while Host and SNI keep the
 * hostname, so a DNS answer that changes after the check (rebinding) is never used.
 */

import type { LookupAddress, LookupOptions } from 'node:dns';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { parseRetryAfter } from './retry-schedule.ts';

export const WEBHOOK_USER_AGENT = 'Dateline-Webhooks/1';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendWebhookInput {
  url: string | URL;
  /** Typically the signature headers; Content-Type, User-Agent and Content-Length are set here. */
  headers: Readonly<Record<string, string>>;
  body: string;
  /** Addresses vetted by assertSafeWebhookUrl; the connection is made to one of these only. */
  addresses: readonly string[];
  /** Deadline for connecting and receiving the response. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Epoch milliseconds; injectable so latency and Retry-After dates are deterministic in tests. */
  now?: () => number;
}

export interface SendWebhookResult {
  ok: boolean;
  status?: number;
  error?: string;
  latencyMs: number;
  /** Seconds, from the receiver's Retry-After header. */
  retryAfter?: number;
  /** The receiver answered 410 Gone: the subscription should be disabled rather than retried. */
  gone: boolean;
  /** The start of the response body, at most maxResponseBytes, for delivery logs. */
  responseBody?: string;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** POSTs one webhook. Never throws for network or HTTP problems; they are described in the result. */
export function sendWebhook(input: SendWebhookInput): Promise<SendWebhookResult> {
  const now = input.now ?? Date.now;
  const started = now();
  const timeoutMs = input.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const maxResponseBytes = input.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const fail = (error: string): SendWebhookResult => ({
    ok: false,
    error,
    latencyMs: now() - started,
    gone: false,
  });

  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return Promise.resolve(fail('invalid url'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.resolve(fail('unsupported protocol'));
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const addresses = input.addresses.filter((address) => isIP(address) !== 0);
  // Node skips `lookup` for IP literals, so the literal itself must be one of the vetted addresses.
  if (addresses.length === 0 || (isIP(host) !== 0 && !addresses.some((a) => sameAddress(a, host)))) {
    return Promise.resolve(fail('no checked address for host'));
  }

  const options: RequestOptions = {
    method: 'POST',
    host,
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: {
      ...input.headers,
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'content-length': String(Buffer.byteLength(input.body)),
    },
    // A pooled socket could be connected to an address vetted for an earlier delivery.
    agent: false,
    lookup: pinnedLookup(addresses),
  };

  return new Promise((resolve) => {
    let settled = false;
    let response: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;

    const finish = (result: SendWebhookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const fromResponse = (res: IncomingMessage): SendWebhookResult => {
      const status = res.statusCode ?? 0;
      const retryAfter = parseRetryAfter(headerValue(res.headers['retry-after']), new Date(now()));
      const redirect = status >= 300 && status < 400;
      return {
        ok: status >= 200 && status < 300,
        status,
        ...(redirect ? { error: 'redirect not followed' } : {}),
        latencyMs: now() - started,
        ...(retryAfter === undefined ? {} : { retryAfter }),
        gone: status === 410,
        responseBody: Buffer.concat(chunks).toString('utf8'),
      };
    };

    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      response = res;
      res.on('data', (chunk: Buffer) => {
        const room = maxResponseBytes - received;
        if (room > 0) chunks.push(room >= chunk.length ? chunk : chunk.subarray(0, room));
        received += chunk.length;
        // The receiver's verdict is its status; no need to drain an oversized body.
        if (received >= maxResponseBytes) finish(fromResponse(res));
      });
      res.on('end', () => finish(fromResponse(res)));
      res.on('error', () => finish(fromResponse(res)));
    });

    const timer = setTimeout(() => {
      // Once the status has arrived the receiver has answered; only a slow body is being cut short.
      finish(response ? fromResponse(response) : fail('timeout'));
    }, timeoutMs);

    req.on('error', (err: NodeJS.ErrnoException) => {
      finish(response ? fromResponse(response) : fail(describeNetworkError(err)));
    });
    req.end(input.body);
  });
}

/** A `lookup` that answers with the vetted addresses instead of asking DNS again. */
function pinnedLookup(addresses: readonly string[]) {
  const entries: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_host: string, options: LookupOptions, callback: LookupCallback): void => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = wanted === 0 ? entries : entries.filter((entry) => entry.family === wanted);
    const first = usable[0];
    if (!first) {
      const err: NodeJS.ErrnoException = new Error(`no checked IPv${wanted} address`);
      err.code = 'ENOTFOUND';
      callback(err, '');
      return;
    }
    // With autoSelectFamily (Node 20 default) net asks for every address; otherwise for one.
    if (options.all) callback(null, usable);
    else callback(null, first.address, first.family);
  };
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns failure';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') || /SSL|TLS/i.test(err.message)) {
        return `tls error: ${err.code ?? err.message}`;
      }
      return `network error: ${err.code ?? err.message}`;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Whether two IP address strings name the same address (IPv6 spellings compared in WHATWG URL's compressed form). */
function sameAddress(a: string, b: string): boolean {
  const family = isIP(a);
  if (family === 0 || family !== isIP(b)) return false;
  if (family === 4) return a === b;
  const canonical = (address: string) => {
    try {
      return new URL(`http://[${address}]/`).hostname;
    } catch {
      return undefined;
    }
  };
  const first = canonical(a);
  return first !== undefined && first === canonical(b);
}
