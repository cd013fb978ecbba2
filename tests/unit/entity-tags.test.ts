import { describe, expect, it } from 'vitest';
import {
  entityTags,
  listEntityTag,
  matchesStrongly,
  matchesWeakly,
  notModified,
} from '../../shared/http/entity-tags.ts';

const a = { id: '01J1ZQ3V8Y0000000000000001', version: 1 };
const b = { id: '01J1ZQ3V8Y0000000000000002', version: 1 };

describe('listEntityTag', () => {
  it('is weak and the same for the same items at the same versions', () => {
    expect(listEntityTag([a, b], null)).toMatch(/^W\/"[0-9a-z]+-[0-9a-z]+"$/);
    expect(listEntityTag([{ ...a }, { ...b }], null)).toBe(listEntityTag([a, b], null));
  });

  it('changes with a version, an item more or less, the order, and what follows the page', () => {
    const base = listEntityTag([a, b], null);
    const variants = [
      listEntityTag([a, { ...b, version: 2 }], null),
      listEntityTag([a], null),
      listEntityTag([a, b, { id: '01J1ZQ3V8Y0000000000000003', version: 1 }], null),
      listEntityTag([b, a], null),
      listEntityTag([a, b], '2024-06-28#0000001#01J1ZQ3V8Y0000000000000002'),
      listEntityTag([], null),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('comparisons (RFC 9110 §8.8.3.2)', () => {
  it('If-None-Match compares weakly, If-Match strongly', () => {
    const tags = entityTags('W/"x", "v3"', 'if-none-match')!;
    expect(matchesWeakly(tags, 'W/"x"')).toBe(true);
    expect(matchesWeakly(tags, '"x"')).toBe(true);
    expect(matchesStrongly(tags, '"v3"')).toBe(true);
    expect(matchesStrongly(tags, 'W/"x"')).toBe(false);
    expect(matchesStrongly(entityTags('"x"', 'if-match')!, 'W/"x"')).toBe(false);
  });

  it('notModified: none, a list, *, and a malformed header refused', () => {
    expect(notModified(undefined, 'W/"x"')).toBe(false);
    expect(notModified('"y", W/"x"', 'W/"x"')).toBe(true);
    expect(notModified('*', 'W/"x"')).toBe(true);
    expect(() => notModified('x', 'W/"x"')).toThrow(/If-None-Match must be/);
  });
});
