import { describe, expect, it } from 'vitest';
import {
  hashToken,
  managementTokenSubject,
  newManagementToken,
  openSecret,
  sealSecret,
  signLinkToken,
  tokenMatches,
  verifyLinkToken,
} from '../../shared/domain/tokens.ts';

const KEY = Buffer.from('a-token-signing-key-of-enough-length-0123', 'utf8');
const OTHER_KEY = Buffer.from('another-signing-key-of-enough-length-4567', 'utf8');
const SUBSCRIPTION = '01J1AB2CD3EF4GH5JK6MN7PQ8R';
const NOW = new Date('2024-06-28T22:45:00Z');

/** Flips one character of the base64url text at `index`, keeping it base64url. */
const flip = (text: string, index: number) =>
  `${text.slice(0, index)}${text[index] === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;

describe('link tokens', () => {
  it('name the subscription they were signed for', () => {
    const token = signLinkToken(KEY, 'unsubscribe', SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'unsubscribe', token, NOW)).toBe(SUBSCRIPTION);
  });

  it('are bound to their purpose: a confirmation token does not unsubscribe', () => {
    const confirm = signLinkToken(KEY, 'confirm', SUBSCRIPTION, new Date(NOW.getTime() + 60_000));
    expect(verifyLinkToken(KEY, 'unsubscribe', confirm, NOW)).toBeUndefined();
    const unsubscribe = signLinkToken(KEY, 'unsubscribe', SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'confirm', unsubscribe, NOW)).toBeUndefined();
  });

  it('are valid until their expiry and not after it', () => {
    const expiresAt = new Date(NOW.getTime() + 7 * 24 * 3600 * 1000);
    const token = signLinkToken(KEY, 'confirm', SUBSCRIPTION, expiresAt);
    expect(verifyLinkToken(KEY, 'confirm', token, new Date(expiresAt.getTime() - 1000))).toBe(SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'confirm', token, new Date(expiresAt.getTime() + 1000))).toBeUndefined();
  });

  it('without an expiry never expire', () => {
    const token = signLinkToken(KEY, 'unsubscribe', SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'unsubscribe', token, new Date('2099-01-01T00:00:00Z'))).toBe(SUBSCRIPTION);
  });

  it('signed with another key are refused', () => {
    const token = signLinkToken(OTHER_KEY, 'unsubscribe', SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'unsubscribe', token, NOW)).toBeUndefined();
  });

  it('whose payload was changed to name another subscription are refused', () => {
    const token = signLinkToken(KEY, 'unsubscribe', SUBSCRIPTION);
    const [, mac] = token.split('.');
    const forgedPayload = Buffer.from(`unsubscribe.01J1AB2CD3EF4GH5JK6MN7PQ8S.0`).toString('base64url');
    expect(verifyLinkToken(KEY, 'unsubscribe', `${forgedPayload}.${mac}`, NOW)).toBeUndefined();
  });

  it('whose expiry was pushed back are refused', () => {
    const token = signLinkToken(KEY, 'confirm', SUBSCRIPTION, new Date(NOW.getTime() - 1000));
    const [, mac] = token.split('.');
    const extended = Buffer.from(`confirm.${SUBSCRIPTION}.0`).toString('base64url');
    expect(verifyLinkToken(KEY, 'confirm', `${extended}.${mac}`, NOW)).toBeUndefined();
  });

  it('with a tampered signature or a malformed shape are refused', () => {
    const token = signLinkToken(KEY, 'unsubscribe', SUBSCRIPTION);
    expect(verifyLinkToken(KEY, 'unsubscribe', flip(token, token.length - 3), NOW)).toBeUndefined();
    for (const malformed of ['', 'abc', `${token}.extra`, token.split('.')[0]!, `.${token.split('.')[1]}`]) {
      expect(verifyLinkToken(KEY, 'unsubscribe', malformed, NOW)).toBeUndefined();
    }
  });
});

describe('management tokens', () => {
  it('look like dls_<subscription id>_<random> and name their subscription', () => {
    const { token } = newManagementToken(SUBSCRIPTION);
    expect(token).toMatch(/^dls_01J1AB2CD3EF4GH5JK6MN7PQ8R_[A-Za-z0-9_-]{43}$/);
    expect(managementTokenSubject(token)).toBe(SUBSCRIPTION);
  });

  it('are stored only as a hash that matches the token and nothing else', () => {
    const { token, hash } = newManagementToken(SUBSCRIPTION);
    expect(hash).toBe(hashToken(token));
    expect(hash).not.toContain(token.slice(4));
    expect(tokenMatches(token, hash)).toBe(true);
    expect(tokenMatches(flip(token, token.length - 1), hash)).toBe(false);
  });

  it('are new every time, even for the same subscription', () => {
    expect(newManagementToken(SUBSCRIPTION).token).not.toBe(newManagementToken(SUBSCRIPTION).token);
  });

  it('never match when no hash is stored', () => {
    const { token } = newManagementToken(SUBSCRIPTION);
    expect(tokenMatches(token, undefined)).toBe(false);
    expect(tokenMatches(token, 'not-hex')).toBe(false);
  });

  it('name no subscription when malformed', () => {
    expect(managementTokenSubject('dl_abc_def')).toBeUndefined();
    expect(managementTokenSubject(`dls_${SUBSCRIPTION}_short`)).toBeUndefined();
    expect(managementTokenSubject(`dls_not-an-id_${'a'.repeat(43)}`)).toBeUndefined();
  });
});

describe('sealSecret and openSecret', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('round-trip a webhook secret', () => {
    expect(openSecret(KEY, sealSecret(KEY, secret))).toBe(secret);
  });

  it('never store the secret in clear, and seal it differently every time', () => {
    const sealed = sealSecret(KEY, secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url'));
    expect(sealSecret(KEY, secret)).not.toBe(sealed);
  });

  it('refuse a sealed secret whose ciphertext was tampered with', () => {
    const [iv, data, tag] = sealSecret(KEY, secret).split('.') as [string, string, string];
    expect(() => openSecret(KEY, `${iv}.${flip(data, 2)}.${tag}`)).toThrow();
  });

  it('refuse a sealed secret whose tag or iv was tampered with', () => {
    const [iv, data, tag] = sealSecret(KEY, secret).split('.') as [string, string, string];
    expect(() => openSecret(KEY, `${iv}.${data}.${flip(tag, 2)}`)).toThrow();
    expect(() => openSecret(KEY, `${flip(iv, 2)}.${data}.${tag}`)).toThrow();
  });

  it('cannot be opened with another key', () => {
    expect(() => openSecret(OTHER_KEY, sealSecret(KEY, secret))).toThrow();
  });
});
