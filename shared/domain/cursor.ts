import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/** What a timeline cursor remembers: where the next page starts and which query it belongs to. */
export interface CursorState {
  after: string;
  query: string;
}

const invalidCursor = (message: string) => new ValidationError(message, [{ path: 'cursor', message }]);

function mac(payload: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);
}

/** Encodes a cursor as `payload.mac`: opaque to clients, and any change to it is detected. */
export function encodeCursor(state: CursorState, key: Uint8Array): string {
  const payload = Buffer.from(JSON.stringify({ a: state.after, q: state.query })).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

export function decodeCursor(cursor: string, key: Uint8Array): CursorState {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined) throw invalidCursor('cursor is malformed');
  const expected = Buffer.from(mac(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw invalidCursor('cursor was altered or was not issued by this service');
  }
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      a?: unknown;
      q?: unknown;
    };
    if (typeof parsed.a !== 'string' || typeof parsed.q !== 'string') throw new Error('shape');
    return { after: parsed.a, query: parsed.q };
  } catch {
    throw invalidCursor('cursor is malformed');
  }
}

// Most timeline requests repeat a few queries: remembering their fingerprints saves an HMAC each.
const fingerprints = new Map<string, string>();
const MAX_REMEMBERED_FINGERPRINTS = 1000;

/** A stable fingerprint of the filters a cursor is valid for (not the page size). */
export function queryFingerprint(filter: Record<string, unknown>): string {
  const canonical = JSON.stringify(filter, Object.keys(filter).sort());
  let fingerprint = fingerprints.get(canonical);
  if (fingerprint === undefined) {
    fingerprint = createHmac('sha256', 'dateline-query').update(canonical).digest('base64url').slice(0, 16);
    if (fingerprints.size >= MAX_REMEMBERED_FINGERPRINTS) fingerprints.clear();
    fingerprints.set(canonical, fingerprint);
  }
  return fingerprint;
}
