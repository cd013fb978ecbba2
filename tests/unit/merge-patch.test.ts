import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../shared/http/merge-patch.ts';

describe('applyMergePatch', () => {
  // RFC 7396, Appendix A: every example, verbatim.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('patches %j with %j into %j (RFC 7396 appendix A)', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('removes an optional event field patched with null', () => {
    const event = { title: 'Pact signed', location: { name: 'Pyongyang', country: 'KP' } };
    expect(applyMergePatch(event, { location: null })).toEqual({ title: 'Pact signed' });
  });

  it('merges into a nested object, keeping its other members', () => {
    const event = { location: { name: 'Pyongyang', country: 'KP' } };
    expect(applyMergePatch(event, { location: { lat: 39.03 } })).toEqual({
      location: { name: 'Pyongyang', country: 'KP', lat: 39.03 },
    });
  });

  it('replaces an array as a whole', () => {
    expect(applyMergePatch({ tags: ['a', 'b'] }, { tags: ['c'] })).toEqual({ tags: ['c'] });
  });

  it('leaves the target unchanged with an empty patch', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2 } }, {})).toEqual({ a: 1, b: { c: 2 } });
  });

  it('does not modify the target it was given', () => {
    const target = { a: 'b', nested: { c: 'd' } };
    applyMergePatch(target, { a: null, nested: { c: null, e: 'f' } });
    expect(target).toEqual({ a: 'b', nested: { c: 'd' } });
  });

  it('does not modify the patch it was given', () => {
    const patch = { a: { b: null } };
    applyMergePatch({ a: { b: 1 } }, patch);
    expect(patch).toEqual({ a: { b: null } });
  });

  it('does not pollute Object.prototype through a __proto__ member', () => {
    applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
