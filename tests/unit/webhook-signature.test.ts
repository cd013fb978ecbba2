import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  decodeWebhookSecret,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
} from '../../shared/delivery/webhook-signature.ts';
import { UnsafeTargetError, ValidationError } from '../../shared/errors.ts';

// Fixed 32-byte keys so expected signatures can be recomputed independently.
const SECRET_A = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const SECRET_B = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
const AT = new Date('2026-03-01T12:00:00.750Z');
const AT_SECONDS = 1772366400;
const BODY = '{"type":"event.created","data":{"id":"evt_01","title":"Summit ends — communiqué"}}';
const ID = 'msg_01JXYZ';

function expectedSignature(secret: string, id: string, seconds: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
}

describe('generateWebhookSecret', () => {
  it('returns whsec_ followed by the base64 of 32 bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  });

  it('returns a different secret each time', () => {
    expect(generateWebhookSecret()).not.toBe(generateWebhookSecret());
  });

  it('produces secrets the standardwebhooks package accepts', () => {
    expect(() => new Webhook(generateWebhookSecret())).not.toThrow();
  });
});

describe('decodeWebhookSecret', () => {
  it('decodes the key bytes after the whsec_ prefix', () => {
    expect(decodeWebhookSecret(SECRET_A)).toEqual(Buffer.alloc(32, 1));
  });

  it('rejects a secret that is not base64 instead of silently decoding part of it', () => {
    expect(() => decodeWebhookSecret('whsec_not*base64!')).toThrow(ValidationError);
  });

  it('rejects an empty secret', () => {
    expect(() => decodeWebhookSecret('whsec_')).toThrow(ValidationError);
  });
});

describe('signWebhook', () => {
  it('returns webhook-id and webhook-timestamp in unix seconds', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    expect(headers['webhook-id']).toBe(ID);
    expect(headers['webhook-timestamp']).toBe(String(AT_SECONDS));
  });

  it('signs "id.timestamp.body" with HMAC-SHA256 keyed by the decoded secret', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    expect(headers['webhook-signature']).toBe(`v1,${expectedSignature(SECRET_A, ID, AT_SECONDS, BODY)}`);
  });

  it('emits one space-separated v1 signature per secret, in order', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A, SECRET_B] });
    expect(headers['webhook-signature']).toBe(
      `v1,${expectedSignature(SECRET_A, ID, AT_SECONDS, BODY)} v1,${expectedSignature(SECRET_B, ID, AT_SECONDS, BODY)}`,
    );
  });

  it('changes the signature when the body changes', () => {
    const a = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    const b = signWebhook({ id: ID, timestamp: AT, body: `${BODY} `, secrets: [SECRET_A] });
    expect(a['webhook-signature']).not.toBe(b['webhook-signature']);
  });

  it('throws ValidationError naming each bad field', () => {
    const attempt = () => signWebhook({ id: '', timestamp: new Date(Number.NaN), body: BODY, secrets: [] });
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (err) {
      expect((err as ValidationError).errors.map((e) => e.path)).toEqual(['id', 'timestamp', 'secrets']);
    }
  });

  it('names the malformed secret by index', () => {
    try {
      signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A, 'whsec_%%%'] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(err).not.toBeInstanceOf(UnsafeTargetError);
      expect((err as ValidationError).errors[0]?.path).toBe('secrets[1]');
    }
  });
});

describe('signWebhook verified by the standardwebhooks package', () => {
  beforeEach(() => {
    // The package checks the timestamp against Date.now().
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(AT);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a single-secret signature', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    expect(new Webhook(SECRET_A).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('verifies with either secret when two sign during a rotation', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_B, SECRET_A] });
    expect(new Webhook(SECRET_A).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(SECRET_B).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('is rejected by the package for a secret that did not sign', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    expect(() => new Webhook(SECRET_B).verify(BODY, headers)).toThrow(/No matching signature/);
  });

  it('is rejected by the package when the body was tampered with', () => {
    const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });
    expect(() => new Webhook(SECRET_A).verify(BODY.replace('ends', 'begins'), headers)).toThrow();
  });
});

describe('verifyWebhook', () => {
  const headers = signWebhook({ id: ID, timestamp: AT, body: BODY, secrets: [SECRET_A] });

  it('accepts a delivery signed with one of the given secrets', () => {
    expect(verifyWebhook({ body: BODY, headers, secrets: [SECRET_B, SECRET_A], now: AT })).toEqual({
      valid: true,
      id: ID,
      timestamp: new Date(AT_SECONDS * 1000),
    });
  });

  it('accepts a signature produced by the standardwebhooks package', () => {
    const signature = new Webhook(SECRET_A).sign(ID, AT, BODY);
    const result = verifyWebhook({
      body: BODY,
      headers: { 'webhook-id': ID, 'webhook-timestamp': String(AT_SECONDS), 'webhook-signature': signature },
      secrets: [SECRET_A],
      now: AT,
    });
    expect(result.valid).toBe(true);
  });

  it('matches header names case-insensitively', () => {
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook({ body: BODY, headers: upper, secrets: [SECRET_A], now: AT }).valid).toBe(true);
  });

  it('rejects a body that differs from the signed one', () => {
    expect(verifyWebhook({ body: `${BODY}x`, headers, secrets: [SECRET_A], now: AT })).toEqual({
      valid: false,
      reason: 'no-matching-signature',
    });
  });

  it('rejects when none of the secrets signed', () => {
    expect(verifyWebhook({ body: BODY, headers, secrets: [SECRET_B], now: AT })).toMatchObject({
      reason: 'no-matching-signature',
    });
  });

  it('accepts a timestamp exactly at the 5 minute tolerance', () => {
    const now = new Date((AT_SECONDS + 300) * 1000);
    expect(verifyWebhook({ body: BODY, headers, secrets: [SECRET_A], now }).valid).toBe(true);
  });

  it('rejects a timestamp older than the tolerance', () => {
    const now = new Date((AT_SECONDS + 301) * 1000);
    expect(verifyWebhook({ body: BODY, headers, secrets: [SECRET_A], now })).toMatchObject({
      reason: 'timestamp-too-old',
    });
  });

  it('rejects a timestamp further in the future than the tolerance', () => {
    const now = new Date((AT_SECONDS - 301) * 1000);
    expect(verifyWebhook({ body: BODY, headers, secrets: [SECRET_A], now })).toMatchObject({
      reason: 'timestamp-too-new',
    });
  });

  it('honours a custom tolerance', () => {
    const now = new Date((AT_SECONDS + 61) * 1000);
    expect(
      verifyWebhook({ body: BODY, headers, secrets: [SECRET_A], now, toleranceSeconds: 60 }),
    ).toMatchObject({
      reason: 'timestamp-too-old',
    });
  });

  it('rejects a delivery with a missing header', () => {
    const { 'webhook-signature': _omitted, ...rest } = headers;
    expect(verifyWebhook({ body: BODY, headers: rest, secrets: [SECRET_A], now: AT })).toMatchObject({
      reason: 'missing-headers',
    });
  });

  it('rejects a non-numeric timestamp', () => {
    const bad = { ...headers, 'webhook-timestamp': 'yesterday' };
    expect(verifyWebhook({ body: BODY, headers: bad, secrets: [SECRET_A], now: AT })).toMatchObject({
      reason: 'invalid-timestamp',
    });
  });

  it('ignores signatures with versions other than v1', () => {
    const v2 = { ...headers, 'webhook-signature': headers['webhook-signature']!.replace('v1,', 'v2,') };
    expect(verifyWebhook({ body: BODY, headers: v2, secrets: [SECRET_A], now: AT })).toMatchObject({
      reason: 'no-matching-signature',
    });
  });
});
