import { describe, expect, it } from 'vitest';
import { SHOWN_LENGTH, SHOWN_VALUES, shownFilter } from '../../shared/domain/filter-values.ts';
import { describeFilter, type SubscriptionFilter } from '../../shared/domain/subscription.ts';

const filter = (parts: Partial<SubscriptionFilter> = {}): SubscriptionFilter => ({
  kinds: [],
  actors: [],
  tags: [],
  ...parts,
});

/** What a caller may put in a filter through the public subscribe endpoint, after its normalisation. */
const hostile = [
  '<a-href="https://phish.example/login">claim-your-prize</a>',
  'http://phish.example/x',
  'write-to-me@phish.example',
  'line\r\nbcc:-victim@example.org',
  '<script>alert(1)</script>',
];

describe('shownFilter', () => {
  it('shows known kinds, ISO codes and normalised tags and names', () => {
    const shown = shownFilter(
      filter({
        kinds: ['missile-launch'],
        actors: ['KP', 'un-security-council'],
        tags: ['ballistic-missiles'],
      }),
    );
    expect(shown).toEqual({
      kinds: { shown: ['missile-launch'], more: 0 },
      actors: { shown: ['KP', 'un-security-council'], more: 0 },
      tags: { shown: ['ballistic-missiles'], more: 0 },
    });
  });

  it('counts markup, URLs, addresses and line breaks instead of showing them', () => {
    const shown = shownFilter(
      filter({ actors: ['RU', ...hostile], tags: hostile, kinds: ['<b>launch</b>'] }),
    );
    expect(shown.actors).toEqual({ shown: ['RU'], more: hostile.length });
    expect(shown.tags).toEqual({ shown: [], more: hostile.length });
    expect(shown.kinds).toEqual({ shown: [], more: 1 });
  });

  it(`cuts a long name to ${SHOWN_LENGTH} characters`, () => {
    const [name] = shownFilter(filter({ tags: ['a'.repeat(200)] })).tags.shown;
    expect(name).toHaveLength(SHOWN_LENGTH);
    expect(name!.endsWith('…')).toBe(true);
  });

  it(`writes out at most ${SHOWN_VALUES} values of a dimension and counts the rest`, () => {
    const tags = Array.from({ length: 20 }, (_, i) => `tag-${i}`);
    expect(shownFilter(filter({ tags })).tags).toEqual({ shown: tags.slice(0, SHOWN_VALUES), more: 15 });
  });
});

describe('describeFilter', () => {
  it('names each dimension it filters on', () => {
    expect(describeFilter(filter({ kinds: ['missile-launch'], actors: ['KP', 'RU'] }))).toBe(
      'kind missile-launch, and actor KP or RU',
    );
  });

  it('says every event for an empty filter', () => {
    expect(describeFilter(filter())).toBe('every event');
  });

  it('echoes none of the caller text it cannot show, and says how much it left out', () => {
    const text = describeFilter(filter({ actors: ['KP', ...hostile], tags: hostile }));
    expect(text).toBe(`actor KP or ${hostile.length} more, and ${hostile.length} tags (not shown)`);
    for (const value of hostile) expect(text).not.toContain(value);
    expect(text).not.toMatch(/[<>:@\r\n]/);
  });
});
