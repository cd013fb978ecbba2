/**
 * Standard Webhooks signing (https://www.standardwebhooks.com).
 * Receivers can verify with any Standard Webhooks library, so the wire format here must not drift.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FieldError } from '../errors.ts';
import { ValidationError } from '../errors.ts';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface SignWebhookInput {
  id: string;
  timestamp: Date;
  body: string;
  /** Every active secret; during a rotation both the new and the previous secret sign. */
  secrets: readonly string[];
}

export interface VerifyWebhookInput {
  body: string;
  /** Header names are matched case-insensitively. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  secrets: readonly string[];
  now: Date;
  toleranceSeconds?: number;
}

export type VerifyWebhookFailure =
  | 'missing-headers'
  | 'invalid-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'no-matching-signature';

export type VerifyWebhookResult =
  | { valid: true; id: string; timestamp: Date }
  | { valid: false; reason: VerifyWebhookFailure };

/** A fresh `whsec_…` secret holding 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** Decodes a `whsec_` secret (the prefix is optional, as in the reference libraries) to its key bytes. */
export function decodeWebhookSecret(secret: string, path = 'secret'): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Buffer's decoder silently skips junk, which would turn a typo into a different key.
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new ValidationError('Invalid webhook secret', [
      { path, message: 'must be "whsec_" followed by non-empty standard base64' },
    ]);
  }
  return Buffer.from(encoded, 'base64');
}

/** Returns the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers for one delivery. */
export function signWebhook(input: SignWebhookInput): Record<string, string> {
  const errors: FieldError[] = [];
  if (input.id.length === 0) errors.push({ path: 'id', message: 'must not be empty' });
  if (Number.isNaN(input.timestamp.getTime()))
    errors.push({ path: 'timestamp', message: 'must be a valid date' });
  if (input.secrets.length === 0)
    errors.push({ path: 'secrets', message: 'at least one secret is required' });
  if (errors.length > 0) throw new ValidationError('Cannot sign webhook', errors);

  const timestamp = unixSeconds(input.timestamp);
  const keys = input.secrets.map((secret, i) => decodeWebhookSecret(secret, `secrets[${i}]`));
  const signatures = keys.map((key) => `v1,${hmac(key, input.id, timestamp, input.body)}`);
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** Checks a delivery the way a receiver would: timestamp within tolerance and any `v1` signature matching any secret. */
export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const id = header(input.headers, 'webhook-id');
  const timestampText = header(input.headers, 'webhook-timestamp');
  const signatureText = header(input.headers, 'webhook-signature');
  if (!id || !timestampText || !signatureText) return { valid: false, reason: 'missing-headers' };

  if (!/^\d+$/.test(timestampText)) return { valid: false, reason: 'invalid-timestamp' };
  const timestamp = Number(timestampText);
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const now = unixSeconds(input.now);
  if (now - timestamp > tolerance) return { valid: false, reason: 'timestamp-too-old' };
  if (timestamp - now > tolerance) return { valid: false, reason: 'timestamp-too-new' };

  const offered = signatureText
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => Buffer.from(part.slice(3), 'base64'));
  for (const [i, secret] of input.secrets.entries()) {
    const expected = Buffer.from(
      hmac(decodeWebhookSecret(secret, `secrets[${i}]`), id, timestamp, input.body),
      'base64',
    );
    if (
      offered.some(
        (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
      )
    ) {
      return { valid: true, id, timestamp: new Date(timestamp * 1000) };
    }
  }
  return { valid: false, reason: 'no-matching-signature' };
}

function hmac(key: Buffer, id: string, timestamp: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function header(headers: VerifyWebhookInput['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
