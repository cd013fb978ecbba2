import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * Tokens and sealed secrets, all derived from the one token-signing key:
 * - signed link tokens (email confirmation, unsubscribe) that need no storage;
 * - management tokens `dls_<subscriptionId>_<random>`, stored only as hashes;
 * - webhook signing secrets, sealed with AES-256-GCM so the table never holds them in clear.
 */

export type LinkPurpose = 'confirm' | 'unsubscribe';

/** Subkeys derived so far, per key object (a process holds one token key; every delivery needs its subkey). */
const subkeys = new WeakMap<Uint8Array, Map<string, Buffer>>();

function subkey(key: Uint8Array, info: string): Buffer {
  let derived = subkeys.get(key);
  if (!derived) {
    derived = new Map();
    subkeys.set(key, derived);
  }
  let found = derived.get(info);
  if (!found) {
    found = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
    derived.set(info, found);
  }
  return found;
}

export function signLinkToken(
  key: Uint8Array,
  purpose: LinkPurpose,
  subscriptionId: string,
  expiresAt?: Date,
): string {
  const payload = `${purpose}.${subscriptionId}.${expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0}`;
  const mac = createHmac('sha256', subkey(key, 'link')).update(payload).digest('base64url').slice(0, 32);
  return `${Buffer.from(payload).toString('base64url')}.${mac}`;
}

/** The subscription a link token names, or undefined when it is forged, for another purpose or expired. */
export function verifyLinkToken(
  key: Uint8Array,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): string | undefined {
  const [encoded, mac, extra] = token.split('.');
  if (!encoded || !mac || extra !== undefined) return undefined;
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const expected = createHmac('sha256', subkey(key, 'link')).update(payload).digest('base64url').slice(0, 32);
  if (expected.length !== mac.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(mac)))
    return undefined;
  const [tokenPurpose, subscriptionId, expires] = payload.split('.');
  if (tokenPurpose !== purpose || !subscriptionId) return undefined;
  const expiry = Number(expires);
  if (expiry !== 0 && expiry * 1000 < now.getTime()) return undefined;
  return subscriptionId;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function newManagementToken(subscriptionId: string): { token: string; hash: string } {
  const token = `dls_${subscriptionId}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** The subscription id a management token claims (to be checked against the stored hash). */
export function managementTokenSubject(token: string): string | undefined {
  return /^dls_([0-9A-Z]{26})_[A-Za-z0-9_-]{43}$/.exec(token)?.[1];
}

export function tokenMatches(token: string, storedHash: string | undefined): boolean {
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = storedHash ? Buffer.from(storedHash, 'hex') : Buffer.alloc(given.length);
  return (
    timingSafeEqual(given, stored.length === given.length ? stored : Buffer.alloc(given.length)) &&
    !!storedHash
  );
}

export function sealSecret(key: Uint8Array, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', subkey(key, 'webhook-secret'), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${iv.toString('base64url')}.${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

export function openSecret(key: Uint8Array, sealed: string): string {
  const [iv, data, tag] = sealed.split('.');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    subkey(key, 'webhook-secret'),
    Buffer.from(iv!, 'base64url'),
  );
  decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data!, 'base64url')), decipher.final()]).toString('utf8');
}
