/**
 * Decides whether Dateline may send a webhook to a URL. Every address the host resolves to must be public,
 * and the sender then connects only to those addresses, so a DNS answer that changes between check and
 * send (rebinding) cannot redirect a delivery inside the network.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UnsafeTargetError } from '../errors.ts';

export type { AddressVerdict } from './ip-ranges.ts';

export type Resolver = (host: string) => Promise<string[]>;

export interface SafeWebhookUrlOptions {
  /** Local development only: permits loopback targets, and plain http to them. */
  allowLoopback: boolean;
  resolve: Resolver;
  /** How long a DNS lookup may take before it fails with ETIMEOUT (default DNS_TIMEOUT_MS). */
  resolveTimeoutMs?: number;
}

/** The longest a webhook host's lookup may take: the resolver itself may retry for much longer. */
export const DNS_TIMEOUT_MS = 5_000;

/**
 * The error codes with which a lookup says the name does not resolve (now): getaddrinfo's
 * (ENOTFOUND, EAI_AGAIN, …) and c-ares' (ENODATA, ESERVFAIL, ETIMEOUT, …), as Node reports them.
 * Anything else a resolver throws is not an answer about the name.
 */
const RESOLUTION_FAILURES = new Set([
  'ENOTFOUND',
  'ENODATA',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EAI_NODATA',
  'ENONAME',
  'ESERVFAIL',
  'EREFUSED',
  'ETIMEOUT',
  'ECONNREFUSED',
  'EFORMERR',
  'EBADRESP',
  'EBADNAME',
  'EBADQUERY',
  'ENOTIMP',
  'EOF',
  'ECANCELLED',
]);

/** Whether `error` is a lookup's answer that the host does not resolve (as opposed to a fault of ours). */
export function isResolutionFailure(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && RESOLUTION_FAILURES.has(code);
}

/** `resolve(host)`, failed with ETIMEOUT when it has not answered within `ms`. */
function resolveWithin(resolve: Resolver, host: string, ms: number): Promise<string[]> {
  return new Promise<string[]>((fulfil, reject) => {
    const timer = setTimeout(() => {
      const message = `DNS lookup of ${host} timed out after ${ms} ms`;
      reject(Object.assign(new Error(message), { code: 'ETIMEOUT', hostname: host }));
    }, ms);
    Promise.resolve()
      .then(() => resolve(host))
      .then(fulfil, reject)
      .finally(() => clearTimeout(timer));
  });
}

export interface SafeWebhookTarget {
  url: URL;
  /** The vetted addresses, as resolved; the sender must connect to one of these and nothing else. */
  addresses: string[];
}

/**
 * Resolves with the parsed URL and its vetted addresses, or throws UnsafeTargetError saying why not.
 * A host that does not resolve rejects with the lookup's error (see isResolutionFailure), a lookup
 * that takes longer than `resolveTimeoutMs` with ETIMEOUT.
 */
export async function assertSafeWebhookUrl(
  url: string,
  opts: SafeWebhookUrlOptions,
): Promise<SafeWebhookTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unsafe('Webhook URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw unsafe(`Webhook URL must use https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.protocol === 'http:' && !opts.allowLoopback) {
    throw unsafe('Webhook URL must use https');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw unsafe('Webhook URL must not contain credentials (user:password@)');
  }

  // WHATWG URL has already rewritten decimal, octal, hex and short IPv4 spellings to dotted quads,
  // and IPv6 literals to their compressed form, so isIP sees every spelling of a literal.
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const literal = isIP(host) !== 0;
  const addresses = literal
    ? [host]
    : [...new Set(await resolveWithin(opts.resolve, host, opts.resolveTimeoutMs ?? DNS_TIMEOUT_MS))];
  if (addresses.length === 0) {
    throw unsafe(`Webhook URL host "${host}" did not resolve to any address`);
  }

  // ipaddr.js and its range tables load with the first webhook URL checked, not with the module.
  const { classifyAddress } = await import('./ip-ranges.ts');
  let allLoopback = true;
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    const subject = literal
      ? `Webhook URL points to ${address}`
      : `Webhook URL host "${host}" resolves to ${address}`;
    if (verdict.kind === 'refused') throw unsafe(`${subject}, ${verdict.reason}`);
    if (verdict.kind === 'loopback' && !opts.allowLoopback) throw unsafe(`${subject}, a loopback address`);
    if (verdict.kind !== 'loopback') allLoopback = false;
  }
  if (parsed.protocol === 'http:' && !allLoopback) {
    throw unsafe('Webhook URL must use https; plain http is only allowed to loopback in local development');
  }
  return { url: parsed, addresses };
}

/** Looks a host up through the operating system resolver, returning every address in resolver order. */
export const defaultResolver: Resolver = async (host) => {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.map((result) => result.address);
};

function unsafe(message: string): UnsafeTargetError {
  return new UnsafeTargetError(message, [{ path: 'url', message }]);
}
