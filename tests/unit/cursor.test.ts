import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  type QueryFilters,
  queryFingerprint,
} from '../../shared/domain/cursor.ts';
import { ValidationError } from '../../shared/errors.ts';

const KEY = Buffer.from('cursor-test-key-cursor-test-key!', 'utf8');
const OTHER_KEY = Buffer.from('another-key-another-key-another!', 'utf8');
const STATE = { after: '2024-06-19#0000001#01J1Z8Q4Y6V3W2X1A0B9C8D7E6', query: 'Zx3f9QmA_b7LkP0w' };

function refusal(cursor: string, key: Uint8Array = KEY): ValidationError {
  try {
    decodeCursor(cursor, key);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`cursor ${cursor} was accepted`);
}

/** Signs an arbitrary payload the way the service does, to build well-signed but ill-formed cursors. */
function signed(payloadText: string): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  const mac = createHmac('sha256', KEY).update(payload).digest('base64url').slice(0, 22);
  return `${payload}.${mac}`;
}

describe('encodeCursor / decodeCursor', () => {
  it('gives back the state it encoded', () => {
    expect(decodeCursor(encodeCursor(STATE, KEY), KEY)).toEqual(STATE);
  });

  it('round-trips any state', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (after, query) => {
        expect(decodeCursor(encodeCursor({ after, query }, KEY), KEY)).toEqual({ after, query });
      }),
    );
  });

  it('is safe to put in a URL query without escaping', () => {
    expect(encodeCursor(STATE, KEY)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('does not show the sort key it carries in plain text', () => {
    expect(encodeCursor(STATE, KEY)).not.toContain('2024-06-19');
  });

  it('gives the same cursor for the same state again, and another for another key', () => {
    const first = encodeCursor(STATE, KEY);
    expect(encodeCursor({ ...STATE }, KEY)).toBe(first);
    expect(encodeCursor(STATE, OTHER_KEY)).not.toBe(first);
    expect(encodeCursor({ ...STATE, after: `${STATE.after}0` }, KEY)).not.toBe(first);
  });

  it('refuses a cursor under another key even after accepting it under its own', () => {
    const cursor = encodeCursor(STATE, KEY);
    expect(decodeCursor(cursor, KEY)).toEqual(STATE);
    expect(refusal(cursor, OTHER_KEY).message).toBe('cursor was altered or was not issued by this service');
  });

  it('hands out a fresh state each time, so a caller changing it does not change the next answer', () => {
    const cursor = encodeCursor(STATE, KEY);
    decodeCursor(cursor, KEY).after = 'changed';
    expect(decodeCursor(cursor, KEY)).toEqual(STATE);
  });

  it('keeps refusing an altered cursor however often it is presented', () => {
    const cursor = encodeCursor(STATE, KEY);
    const altered = `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`;
    for (let i = 0; i < 3; i++) expect(refusal(altered).message).toMatch(/altered|malformed/);
  });

  it('refuses a cursor signed with another key', () => {
    expect(refusal(encodeCursor(STATE, OTHER_KEY)).message).toBe(
      'cursor was altered or was not issued by this service',
    );
  });

  it('refuses a cursor with one character of its payload changed', () => {
    const cursor = encodeCursor(STATE, KEY);
    const flipped = `${cursor[0] === 'A' ? 'B' : 'A'}${cursor.slice(1)}`;
    expect(refusal(flipped).message).toBe('cursor was altered or was not issued by this service');
  });

  it('refuses a cursor with one character of its signature changed', () => {
    const cursor = encodeCursor(STATE, KEY);
    const last = cursor.at(-1) === 'A' ? 'B' : 'A';
    expect(refusal(`${cursor.slice(0, -1)}${last}`).message).toBe(
      'cursor was altered or was not issued by this service',
    );
  });

  it('refuses a cursor with any single character replaced', () => {
    const cursor = encodeCursor(STATE, KEY);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: cursor.length - 1 }),
        fc.constantFrom(...alphabet),
        (index, replacement) => {
          fc.pre(cursor[index] !== replacement);
          const altered = `${cursor.slice(0, index)}${replacement}${cursor.slice(index + 1)}`;
          expect(() => decodeCursor(altered, KEY)).toThrow(ValidationError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a cursor cut short', () => {
    const cursor = encodeCursor(STATE, KEY);
    expect(() => decodeCursor(cursor.slice(0, -3), KEY)).toThrow(ValidationError);
  });

  it('refuses a cursor with something appended', () => {
    expect(() => decodeCursor(`${encodeCursor(STATE, KEY)}A`, KEY)).toThrow(ValidationError);
  });

  it.each([
    ['empty', ''],
    ['without a signature', 'eyJhIjoiMSJ9'],
    ['without a payload', '.abcdefghijklmnopqrstuv'],
    ['with three parts', 'a.b.c'],
    ['of garbage', 'not a cursor at all'],
  ])('refuses a cursor %s as malformed or altered', (_name, cursor) => {
    const error = refusal(cursor);
    expect(error.message).toMatch(/^cursor (is malformed|was altered or was not issued by this service)$/);
  });

  it('reports the problem on the cursor field', () => {
    expect(refusal('a.b.c').errors).toEqual([{ path: 'cursor', message: 'cursor is malformed' }]);
  });

  it('refuses a correctly signed payload that is not JSON', () => {
    expect(refusal(signed('not json')).message).toBe('cursor is malformed');
  });

  it('refuses a correctly signed payload without a position', () => {
    expect(refusal(signed(JSON.stringify({ q: 'abc' }))).message).toBe('cursor is malformed');
  });

  it('refuses a correctly signed payload whose fields are not strings', () => {
    expect(refusal(signed(JSON.stringify({ a: 1, q: 'abc' }))).message).toBe('cursor is malformed');
  });
});

describe('queryFingerprint', () => {
  const filter: QueryFilters = {
    from: '2024-06-01',
    kinds: ['missile-launch'],
    actors: [],
    tags: [],
    order: 'asc',
  };

  it('is the same for the same filters', () => {
    expect(queryFingerprint(filter)).toBe(queryFingerprint({ ...filter }));
  });

  it('does not depend on the order the filters were named in', () => {
    const reordered: QueryFilters = {
      order: 'asc',
      tags: [],
      actors: [],
      kinds: ['missile-launch'],
      from: '2024-06-01',
    };
    expect(queryFingerprint(reordered)).toBe(queryFingerprint(filter));
  });

  it('ignores filters that are absent', () => {
    expect(queryFingerprint({ ...filter, to: undefined })).toBe(queryFingerprint(filter));
  });

  it('tells a filter value from the same text moved to another filter', () => {
    expect(queryFingerprint({ ...filter, actors: ['KP'] })).not.toBe(
      queryFingerprint({ ...filter, tags: ['KP'] }),
    );
    expect(queryFingerprint({ ...filter, actors: ['KP', 'RU'] })).not.toBe(
      queryFingerprint({ ...filter, actors: ['KP,RU'] }),
    );
  });

  it.each([
    ['from', { from: '2024-06-02' }],
    ['to', { to: '2024-06-30' }],
    ['kinds', { kinds: ['missile-finding'] }],
    ['actors', { actors: ['KP'] }],
    ['tags', { tags: ['arms-embargo'] }],
    ['q', { q: 'Kharkiv' }],
    ['order', { order: 'desc' }],
  ])('changes when %s changes', (_name, change) => {
    expect(queryFingerprint({ ...filter, ...change })).not.toBe(queryFingerprint(filter));
  });

  it('is short and URL-safe', () => {
    expect(queryFingerprint(filter)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
