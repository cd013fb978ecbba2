import { describe, expect, it } from 'vitest';
import {
  assertSafeWebhookUrl,
  isResolutionFailure,
  type Resolver,
} from '../../shared/delivery/ssrf-guard.ts';

const failing =
  (code: string): Resolver =>
  async (host) => {
    throw Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code });
  };

describe('resolving a webhook host', () => {
  it('rejects with the lookup error itself, so callers can tell a name that does not resolve', async () => {
    const error = await assertSafeWebhookUrl('https://gone.example.org/', {
      allowLoopback: false,
      resolve: failing('EAI_AGAIN'),
    }).catch((e: unknown) => e);
    expect(isResolutionFailure(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EAI_AGAIN' });
  });

  it('bounds a lookup that never answers: ETIMEOUT after resolveTimeoutMs', async () => {
    const started = performance.now();
    const error = await assertSafeWebhookUrl('https://hang.example.org/', {
      allowLoopback: false,
      resolve: () => new Promise(() => {}),
      resolveTimeoutMs: 30,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ETIMEOUT', message: expect.stringContaining('hang.example.org') });
    expect(isResolutionFailure(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('turns a resolver that throws synchronously into a rejection', async () => {
    const resolve: Resolver = () => {
      throw Object.assign(new Error('sync'), { code: 'ENOTFOUND' });
    };
    await expect(
      assertSafeWebhookUrl('https://x.example.org/', { allowLoopback: false, resolve }),
    ).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('answers within the bound when the lookup does', async () => {
    const target = await assertSafeWebhookUrl('https://fine.example.org/', {
      allowLoopback: false,
      resolve: async () => ['93.184.215.14'],
      resolveTimeoutMs: 30,
    });
    expect(target.addresses).toEqual(['93.184.215.14']);
  });
});

describe('isResolutionFailure', () => {
  it.each([
    'ENOTFOUND',
    'ENODATA',
    'EAI_AGAIN',
    'EAI_FAIL',
    'ESERVFAIL',
    'ETIMEOUT',
    'EREFUSED',
    'ECONNREFUSED',
  ])('is true for %s', (code) => {
    expect(isResolutionFailure(Object.assign(new Error(code), { code }))).toBe(true);
  });

  it.each([
    ['a plain error', new Error('bug')],
    ['a type error', new TypeError('x is undefined')],
    ['an unrelated errno', Object.assign(new Error('too many files'), { code: 'EMFILE' })],
    ['undefined', undefined],
    ['a string', 'ENOTFOUND'],
  ])('is false for %s', (_what, error) => {
    expect(isResolutionFailure(error)).toBe(false);
  });
});
