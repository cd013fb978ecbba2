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

// Popular queries hand out and get back the same cursors (the second page of the front page stays
// the same until an event lands), so recently issued and accepted cursors are remembered, per key,
// to save an HMAC each. Refusals are never remembered.
const MAX_REMEMBERED_CURSORS = 1000;
const issuedByKey = new WeakMap<Uint8Array, Map<string, string>>();
const acceptedByKey = new WeakMap<Uint8Array, Map<string, CursorState>>();

function rememberedFor<T>(byKey: WeakMap<Uint8Array, Map<string, T>>, key: Uint8Array): Map<string, T> {
  let remembered = byKey.get(key);
  if (!remembered) {
    remembered = new Map();
    byKey.set(key, remembered);
  }
  if (remembered.size >= MAX_REMEMBERED_CURSORS) remembered.clear();
  return remembered;
}

/** Encodes a cursor as `payload.mac`: opaque to clients, and any change to it is detected. */
export function encodeCursor(state: CursorState, key: Uint8Array): string {
  const issued = rememberedFor(issuedByKey, key);
  const id = `${state.query}\u0000${state.after}`;
  let cursor = issued.get(id);
  if (cursor === undefined) {
    const payload = Buffer.from(JSON.stringify({ a: state.after, q: state.query })).toString('base64url');
    cursor = `${payload}.${mac(payload, key)}`;
    issued.set(id, cursor);
  }
  return cursor;
}

export function decodeCursor(cursor: string, key: Uint8Array): CursorState {
  const accepted = rememberedFor(acceptedByKey, key);
  const known = accepted.get(cursor);
  if (known) return { ...known };
  const state = verifyCursor(cursor, key);
  accepted.set(cursor, state);
  return { ...state };
}

function verifyCursor(cursor: string, key: Uint8Array): CursorState {
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

/** The filters of a timeline query, already normalised (sorted, deduplicated). */
export interface QueryFilters {
  from?: string | undefined;
  to?: string | undefined;
  kinds: readonly string[];
  actors: readonly string[];
  tags: readonly string[];
  q?: string | undefined;
  order: string;
}

/** A stable fingerprint of the filters a cursor is valid for (not the page size). */
export function queryFingerprint(filter: QueryFilters): string {
  // Positional, so the canonical form needs no key sorting (a sorting replacer costs more than the rest).
  const canonical = JSON.stringify([
    filter.from ?? null,
    filter.to ?? null,
    filter.kinds,
    filter.actors,
    filter.tags,
    filter.q ?? null,
    filter.order,
  ]);
  let fingerprint = fingerprints.get(canonical);
  if (fingerprint === undefined) {
    fingerprint = createHmac('sha256', 'dateline-query').update(canonical).digest('base64url').slice(0, 16);
    if (fingerprints.size >= MAX_REMEMBERED_FINGERPRINTS) fingerprints.clear();
    fingerprints.set(canonical, fingerprint);
  }
  return fingerprint;
}
